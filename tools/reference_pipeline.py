#!/usr/bin/env python3
"""The paper's feature-extraction pipeline run by the paper's libraries, written out as test fixtures.

Run with Debian 12's packages (python3-pil 9.4, python3-torch 1.13, python3-torchvision 0.14, python3-onnx)
and the system interpreter:

    /usr/bin/python3 tools/reference_pipeline.py [--photos DIR] [--out DIR] [--encoder ID] [--no-model]

For every JPEG under --photos (default: the fixture's photos/, made by tools/make_reference_photos.sh), sorted
by relative path, it does what the paper's feature extraction does:

  Image.open(p).convert('RGB')                       -> sha256 of the decoded pixels
  each deterministic processing of the paper         -> sha256 and size of the processed pixels
    (its processors.py: JPEG save/open, ImageEnhance.Sharpness, F.resize, paste(0) mask; INTERPOLATION_*
     draw their scale per photo from a seed, as TraceProbe does, instead of one shared numpy stream)
  Resize(size, interpolation), CenterCrop(size), ToTensor(), Normalize(mean, std)
                                                     -> inputs.npy, float32 [N, 3, H, W]
  a seeded random-init torchvision model             -> embeddings.npy [N, D], and per processing
                                                        embeddings.<OP>.npy
The model (torchvision's MobileNetV3-Small, width 0.25, seed 0, BatchNorm statistics taken from the photos so
that the random network still tells photos apart) is exported to ONNX with a symbolic batch dimension under
models/<file of the encoders.json entry>, and its sha256 printed: the entry in encoders.json (--encoder,
default reference-mobilenetv3) is all TraceProbe needs to run it. The entry's preprocessing (image size,
interpolation, mean, std) drives the transform here too.

It also writes extra/cmyk-adobe.jpg (a CMYK JPEG Pillow writes, which no package photo is) and
transforms.npy: a few photos through variants of the encoder transform (each Pillow filter,
timm's crop_pct and squash modes), for the tensorizer's tests; reference.json describes everything.
The C# tests (tests/Harness.Tests/Pipeline) compare against these files; CI needs no Python.
"""
import argparse
import hashlib
import io
import json
import math
import os
import sys

import numpy as np
import PIL
import torch
import torchvision
import torchvision.transforms as T
import torchvision.transforms.functional as F
from PIL import Image, ImageEnhance

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from pillow_reference import random_scale  # noqa: E402  the seeded scale TraceProbe's SeededScale repeats

FIXTURE = os.path.join(ROOT, "tests", "Harness.Tests", "Pipeline", "reference")
MASK64 = (1 << 64) - 1
MODES = {"nearest": T.InterpolationMode.NEAREST, "bilinear": T.InterpolationMode.BILINEAR,
         "bicubic": T.InterpolationMode.BICUBIC, "lanczos": T.InterpolationMode.LANCZOS,
         "box": T.InterpolationMode.BOX, "hamming": T.InterpolationMode.HAMMING}


# --- TraceProbe's per-photo seed (Common/Seeds.cs Derive(seed, key)): FNV-1a of the key, then SplitMix64's mix.
def mix(z):
    z = (z + 0x9E3779B97F4A7C15) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def derive(seed, key):
    h = 14695981039346656037
    for b in key.encode("utf-8"):
        h = ((h ^ b) * 1099511628211) & MASK64
    return mix(seed ^ h)


# --- The paper's processors (feature_extraction/processors.py), as functions of a PIL image.
def jpeg(img, quality, subsampling):
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, subsampling=subsampling)
    buf.seek(0)
    return Image.open(buf)


def sharpen(img, factor):
    return ImageEnhance.Sharpness(img).enhance(factor)


def rescale(img, scale, interpolation):
    w, h = img.size
    return F.resize(img, (int(h * scale), int(w * scale)), interpolation=interpolation)


def mask(img, ratio):
    w, h = img.size
    side = math.sqrt(ratio)
    ym, xm = (h - side * h) / 2, (w - side * w) / 2
    img = img.copy()
    img.paste(0, (round(xm), round(ym), round(w - xm), round(h - ym)))
    return img


def paper_ops(seed):
    """The paper's processings (MASK_90 too, which TraceProbe's acquisition tasks use), id -> function."""
    final = lambda im: jpeg(im, 95, "4:4:4")  # noqa: E731  every op but JPEG and MASK ends with it
    ops = {}
    for q in (75, 85, 95):
        for s in ("420", "444"):
            ops[f"JPEG{q}_{s}"] = lambda im, q=q, s=s: jpeg(im, q, f"4:{s[1]}:{s[2]}")
    for f in (2, 4):
        ops[f"SHARPEN_{f}"] = lambda im, f=f: final(sharpen(im, f))
    ops["RESIZE_HALF"] = lambda im: final(rescale(im, 0.5, T.InterpolationMode.BILINEAR))
    ops["RESIZE_DOUBLE"] = lambda im: final(rescale(im, 2.0, T.InterpolationMode.BILINEAR))
    for name in ("BILINEAR", "BICUBIC", "LANCZOS", "BOX"):
        ops[f"INTERPOLATION_{name}"] = lambda im, name=name: final(
            rescale(im, random_scale(seed), T.InterpolationMode[name]))
    for r in (90, 95):
        ops[f"MASK_{r}"] = lambda im, r=r: mask(final(im), r / 100)
    return ops


def pixels_sha(img):
    return hashlib.sha256(img.convert("RGB").tobytes()).hexdigest()


# --- The encoder's transform: torchvision's on a PIL image, with timm's crop_pct / squash where asked.
def encoder_transform(pre, size):
    h, w = size
    mode = MODES[pre.get("interpolation", "bilinear")]
    pct = pre.get("crop_pct")
    if pre.get("resize_mode", "shortest") == "squash":
        resize = T.Resize((math.floor(h / (pct or 1.0)), math.floor(w / (pct or 1.0))), interpolation=mode)
    else:
        resize = T.Resize(math.floor(min(h, w) / (pct or 1.0)), interpolation=mode)
    return T.Compose([resize, T.CenterCrop((h, w)), T.ToTensor(), T.Normalize(pre["mean"], pre["std"])])


def reference_model(inputs, dim):
    """Seeded random MobileNetV3-Small; BatchNorm running statistics measured on the inputs (deterministic)."""
    torch.manual_seed(0)
    model = torchvision.models.mobilenet_v3_small(width_mult=0.25, num_classes=dim)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.momentum = None  # cumulative average over the calibration passes
    model.train()
    with torch.no_grad():
        model(inputs)
    return model.eval()


def save_npy(path, array):
    np.save(path, np.ascontiguousarray(array, dtype=np.float32))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", default=os.path.join(FIXTURE, "photos"))
    ap.add_argument("--out", default=FIXTURE)
    ap.add_argument("--encoder", default="reference-mobilenetv3")
    ap.add_argument("--seed", type=int, default=0, help="TraceProbe's --seed (per-photo op seeds derive from it)")
    ap.add_argument("--no-model", action="store_true", help="only decode and processing hashes (any photo folder)")
    args = ap.parse_args()

    with open(os.path.join(ROOT, "encoders.json"), encoding="utf-8") as f:
        entry = next(e for e in json.load(f)["encoders"] if e["id"] == args.encoder)
    size = tuple(entry["input"]["image_size"])
    pre = entry["preprocessing"]
    transform = encoder_transform(pre, size)

    keys = sorted(os.path.relpath(os.path.join(d, n), args.photos).replace(os.sep, "/")
                  for d, _, names in os.walk(args.photos) for n in names
                  if n.lower().endswith((".jpg", ".jpeg")))
    os.makedirs(args.out, exist_ok=True)
    manifest = {"pillow": PIL.__version__, "torch": torch.__version__, "torchvision": torchvision.__version__,
                "encoder": args.encoder, "seed": args.seed, "photos": []}
    inputs, op_inputs = [], {}
    for key in keys:
        src = Image.open(os.path.join(args.photos, key)).convert("RGB")
        op_seed = derive(args.seed, f"ops:{key}")
        record = {"key": key, "size": list(src.size), "decoded": pixels_sha(src), "op_seed": str(op_seed), "ops": {}}
        inputs.append(transform(src))
        for op, fn in paper_ops(op_seed).items():
            out = fn(src).convert("RGB")
            record["ops"][op] = {"size": list(out.size), "sha256": pixels_sha(out)}
            op_inputs.setdefault(op, []).append(transform(out))
        manifest["photos"].append(record)
        print(key, src.size, file=sys.stderr)

    if not args.no_model:
        batch = torch.stack(inputs)
        save_npy(os.path.join(args.out, "inputs.npy"), batch.numpy())
        model = reference_model(batch, entry["output"]["dim"])
        with torch.no_grad():
            save_npy(os.path.join(args.out, "embeddings.npy"), model(batch).numpy())
            for op, xs in op_inputs.items():
                save_npy(os.path.join(args.out, f"embeddings.{op}.npy"), model(torch.stack(xs)).numpy())
        onnx_path = os.path.join(args.out, "models", entry["model"]["file"])
        os.makedirs(os.path.dirname(onnx_path), exist_ok=True)
        torch.onnx.export(model, batch[:1], onnx_path, input_names=[entry["input"]["name"]],
                          output_names=[entry["output"]["name"]], opset_version=14,
                          dynamic_axes={entry["input"]["name"]: {0: "batch"}, entry["output"]["name"]: {0: "batch"}})
        with open(onnx_path, "rb") as f:
            manifest["model_sha256"] = hashlib.sha256(f.read()).hexdigest()
        print(f"{onnx_path}: sha256 {manifest['model_sha256']} (model.sha256 of the encoders.json entry)")

        # Variants of the encoder transform, on the first photos, for InputTensorizer's tests.
        variants = [{"resize_mode": "shortest", "interpolation": m} for m in MODES]
        variants += [{"resize_mode": "shortest", "interpolation": "bicubic", "crop_pct": 0.875},
                     {"resize_mode": "squash", "interpolation": "bilinear", "crop_pct": 0.9}]
        mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
        chosen = keys[:3]
        photos = [Image.open(os.path.join(args.photos, k)).convert("RGB") for k in chosen]
        stack = [[encoder_transform(dict(v, mean=mean, std=std), (24, 24))(im).numpy() for im in photos]
                 for v in variants]
        save_npy(os.path.join(args.out, "transforms.npy"), np.array(stack))
        manifest["transforms"] = {"photos": chosen, "size": [24, 24], "mean": mean, "std": std, "variants": variants}

        # A kind of JPEG the packages lack, written by Pillow from the first photo: CMYK (Adobe marker, inverted).
        extra = os.path.join(args.out, "extra")
        os.makedirs(extra, exist_ok=True)
        Image.open(os.path.join(args.photos, keys[0])).convert("CMYK").save(os.path.join(extra, "cmyk-adobe.jpg"), quality=90)
        manifest["extra"] = [{"file": "extra/cmyk-adobe.jpg",
                              "decoded": pixels_sha(Image.open(os.path.join(extra, "cmyk-adobe.jpg")).convert("RGB"))}]

    with open(os.path.join(args.out, "reference.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
