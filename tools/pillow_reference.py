#!/usr/bin/env python3
"""Reference outputs of the paper's processing traces, made with Pillow (the paper's library).

Run with Debian's Pillow 9.4 (package python3-pil) and the system interpreter:

    python3 tools/pillow_reference.py [OUT_DIR]

OUT_DIR defaults to tests/Harness.Tests/Processing/reference. It writes:
  inputs/<photo>.png            small synthetic "photos" (deterministic, made here; no third-party images)
  <photo>.<OP>.png              Pillow's output of OP, decoded the way Pillow decodes (RGB)
  <photo>.<OP>.stage.png        the stage before the final JPEG95_444 (sharpen / resize), to test it exactly
  quant_tables.json             {OP: [table, ...]} the DQT tables of the JPEG Pillow writes, file (zigzag) order
  manifest.json                 per photo: size, interpolation seed, drawn scale and output size per op

The C# tests (tests/Harness.Tests/Processing) compare against these files.
"""
import io
import json
import math
import os
import random
import sys

import PIL
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

MASK64 = (1 << 64) - 1

# name, size, interpolation seed. Odd sizes exercise Pillow's int(W*s) size rounding.
PHOTOS = [("meadow", (128, 96), 1001), ("portrait", (96, 128), 1002), ("odd", (75, 53), 1003)]

JPEG_OPS = [(q, s) for q in (75, 85, 95) for s in ("420", "444")]
FILTERS = {"BILINEAR": Image.BILINEAR, "BICUBIC": Image.BICUBIC, "LANCZOS": Image.LANCZOS, "BOX": Image.BOX}


def splitmix64(state):
    """One step of SplitMix64: returns (new_state, output). Mirrors TraceProbe.Processing.SeededScale."""
    state = (state + 0x9E3779B97F4A7C15) & MASK64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return state, z ^ (z >> 31)


def random_scale(seed):
    """1 + U(-0.2, 0.2) with U from the first SplitMix64 output of the seed (53-bit mantissa)."""
    _, z = splitmix64(seed)
    u = (z >> 11) * (1.0 / (1 << 53))
    return 1.0 + (2.0 * u - 1.0) * 0.2


def synthetic_photo(size, seed):
    """A natural-looking scene: sky gradient, 1/f texture, soft shapes, sensor-like noise."""
    rng = random.Random(seed)
    w, h = size
    sky = Image.linear_gradient("L").resize((w, h), Image.BILINEAR)
    base = Image.merge("RGB", [sky.point(lambda v, a=a, b=b: int(a + (b - a) * v / 255)) for a, b in
                               ((90, 200), (140, 190), (220, 120))])
    # 1/f texture: random grids upsampled smoothly, coarser octaves stronger.
    for octave in range(5):
        gw, gh = 3 << octave, 2 << octave
        grid = Image.frombytes("RGB", (gw, gh), bytes(rng.getrandbits(8) for _ in range(gw * gh * 3)))
        base = Image.blend(base, grid.resize((w, h), Image.BICUBIC), 0.35 / (octave + 1))
    draw = ImageDraw.Draw(base)
    for _ in range(7):
        x0, y0 = rng.randrange(w), rng.randrange(h)
        x1, y1 = x0 + rng.randrange(5, w // 2), y0 + rng.randrange(5, h // 2)
        colour = tuple(rng.randrange(256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)([x0, y0, x1, y1], fill=colour)
    for _ in range(5):
        draw.line([rng.randrange(w), rng.randrange(h), rng.randrange(w), rng.randrange(h)],
                  fill=tuple(rng.randrange(256) for _ in range(3)), width=rng.randrange(1, 3))
    base = base.filter(ImageFilter.GaussianBlur(0.8))  # lens softness
    noise = Image.frombytes("RGB", size, bytes(rng.getrandbits(8) for _ in range(w * h * 3)))
    return Image.blend(base, noise, 0.06)


def dqt_tables(jpeg_bytes):
    """Quantisation tables in file (zigzag) order, parsed from the DQT segments."""
    tables, i = [], 2
    while i < len(jpeg_bytes):
        marker, length = jpeg_bytes[i + 1], int.from_bytes(jpeg_bytes[i + 2:i + 4], "big")
        if marker == 0xDA:
            break
        if marker == 0xDB:
            seg, j = jpeg_bytes[i + 4:i + 2 + length], 0
            while j < len(seg):
                precision = seg[j] >> 4
                n = 64 * (2 if precision else 1)
                raw = seg[j + 1:j + 1 + n]
                tables.append([int.from_bytes(raw[k:k + 2], "big") for k in range(0, n, 2)] if precision
                              else list(raw))
                j += 1 + n
        i += 2 + length
    return tables


def jpeg(im, quality, subsampling):
    """Pillow's save (baseline, no optimisation) then open().convert('RGB'): returns (pixels, file bytes)."""
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality, subsampling=0 if subsampling == "444" else 2)
    data = buf.getvalue()
    return Image.open(io.BytesIO(data)).convert("RGB"), data


def centre_mask(im, ratio):
    """Black centred box: corners round(m), round(size - m), m = (1 - sqrt(r)) * size / 2; half-open."""
    w, h = im.size
    mx, my = (1 - math.sqrt(ratio)) * w / 2, (1 - math.sqrt(ratio)) * h / 2
    out = im.copy()
    out.paste((0, 0, 0), (round(mx), round(my), round(w - mx), round(h - my)))
    return out


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "tests", "Harness.Tests", "Processing", "reference")
    os.makedirs(os.path.join(out_dir, "inputs"), exist_ok=True)
    quant, manifest = {}, {"pillow": PIL.__version__, "photos": {}}

    def save(name, op, im, stage=None):
        im.save(os.path.join(out_dir, f"{name}.{op}.png"), optimize=True)
        if stage is not None:
            stage.save(os.path.join(out_dir, f"{name}.{op}.stage.png"), optimize=True)

    def record_tables(op, data):
        tables = dqt_tables(data)
        assert quant.setdefault(op, tables) == tables, f"{op}: tables differ between photos"

    for name, size, seed in PHOTOS:
        src = synthetic_photo(size, seed)
        src.save(os.path.join(out_dir, "inputs", f"{name}.png"), optimize=True)
        src = Image.open(os.path.join(out_dir, "inputs", f"{name}.png")).convert("RGB")
        w, h = src.size
        info = {"size": [w, h], "seed": seed, "ops": {}}

        for q, s in JPEG_OPS:
            op = f"JPEG{q}_{s}"
            im, data = jpeg(src, q, s)
            record_tables(op, data)
            save(name, op, im)

        for f in (2, 4):
            op = f"SHARPEN_{f}"
            stage = ImageEnhance.Sharpness(src).enhance(f)
            im, data = jpeg(stage, 95, "444")
            record_tables(op, data)
            save(name, op, im, stage)

        for op, s in (("RESIZE_HALF", 0.5), ("RESIZE_DOUBLE", 2.0)):
            new = (int(w * s), int(h * s))
            stage = src.resize(new, Image.BILINEAR)
            im, data = jpeg(stage, 95, "444")
            record_tables(op, data)
            save(name, op, im, stage)
            info["ops"][op] = {"size": list(new)}

        scale = random_scale(seed)
        for fname, flt in FILTERS.items():
            op = f"INTERPOLATION_{fname}"
            new = (int(w * scale), int(h * scale))
            stage = src.resize(new, flt)
            im, data = jpeg(stage, 95, "444")
            record_tables(op, data)
            save(name, op, im, stage)
            info["ops"][op] = {"scale": scale, "size": list(new)}

        for op, r in (("MASK_90", 0.90), ("MASK_95", 0.95)):
            compressed, data = jpeg(src, 95, "444")
            record_tables(op, data)
            save(name, op, centre_mask(compressed, r))

        manifest["photos"][name] = info

    with open(os.path.join(out_dir, "quant_tables.json"), "w") as f:
        json.dump(quant, f, separators=(",", ":"))
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
