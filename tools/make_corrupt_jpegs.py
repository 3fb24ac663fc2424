#!/usr/bin/env python3
"""Corrupted mutants of real JPEG photos, and what Pillow 9.4 makes of each, as a test fixture.

Run with Debian 12's python3-pil (Pillow 9.4) and the system interpreter:

    /usr/bin/python3 tools/make_corrupt_jpegs.py [--out FILE]

Each mutant is a real photo of the pipeline fixture (tests/Harness.Tests/Pipeline/reference/photos and extra/)
with a few byte edits: truncations inside and at the end of the scan data, flipped bits and overwritten bytes in
the entropy-coded data, a false end-of-image marker, and broken headers (SOI, frame dimensions, precision,
component count, quantisation and Huffman tables, marker lengths, a frame too large for Pillow's pixel limit).
The mutants themselves are not stored: the fixture records each one as its source photo plus its edits, so the
C# test (tests/Harness.Tests/Images/CorruptJpegTests.cs) replays the edits and compares TraceProbe with what
Pillow did here, `Image.open(f).convert('RGB')`: the size and sha256 of the RGB pixels where Pillow decodes
the file (libjpeg warnings are ignored, as Pillow ignores them), or Pillow's exception where it refuses. The
edits are drawn from a fixed seed, so reruns write the same file.
"""
import argparse
import hashlib
import io
import json
import os
import random
import re
import struct

import PIL
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PHOTOS = os.path.join(ROOT, "tests", "Harness.Tests", "Pipeline", "reference")
DEFAULT_OUT = os.path.join(ROOT, "tests", "Harness.Tests", "Images", "corrupt-jpegs.json")

# Kinds of file a camera or editor writes: baseline 4:2:0, 4:4:4 and 4:2:2, progressive, restart markers,
# greyscale, CMYK (Adobe).
SOURCES = [
    "photos/fallenleaf-screenshot.jpg",
    "photos/darkesthour-screenshot.jpg",
    "photos/shell-portrait-422.jpg",
    "photos/freshflower-progressive.jpg",
    "photos/elephants-rx100-progressive-restart.jpg",
    "photos/the-mouse-restart.jpg",
    "photos/grey-crop.jpg",
    "extra/cmyk-adobe.jpg",
]


def markers(data):
    """(marker, offset, segment length) of each header segment up to and including the first SOS."""
    out, i = [], 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            break
        marker = data[i + 1]
        if marker == 0xFF:
            i += 1
            continue
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        out.append((marker, i, length))
        if marker == 0xDA:
            break
        i += 2 + length
    return out


def first(segs, *codes):
    return next((s for s in segs if s[0] in codes), None)


def mutants(name, data, rng):
    """(mutant id, list of edits). An edit is {"truncate": n}, {"xor": [offset, mask]} or {"set": [offset, hex bytes]}."""
    segs = markers(data)
    sos = first(segs, 0xDA)
    scan = sos[1] + 2 + sos[2]          # first byte of entropy-coded data
    end = len(data)
    span = end - 2 - scan               # entropy-coded bytes before the final EOI (more scans follow in progressive files)
    out = []
    for percent in (2, 10, 30, 50, 70, 90, 99):
        out.append((f"truncate-scan-{percent}", [{"truncate": scan + span * percent // 100}]))
    out.append(("truncate-no-eoi", [{"truncate": end - 2}]))
    out.append(("truncate-half-eoi", [{"truncate": end - 1}]))
    out.append(("truncate-in-header", [{"truncate": sos[1] // 2}]))
    for k in range(6):
        at = scan + rng.randrange(span)
        out.append((f"flip-bit-{k}", [{"xor": [at, 1 << rng.randrange(8)]}]))
    burst = scan + rng.randrange(span - 64)
    out.append(("flip-burst", [{"xor": [burst + j, 1 << rng.randrange(8)]} for j in range(0, 64, 4)]))
    zeros = scan + rng.randrange(span - 256)
    out.append(("zero-run", [{"set": [zeros, "00" * 256]}]))
    fake = scan + span // 2
    out.append(("early-eoi", [{"set": [fake, "ffd9"]}]))
    out.append(("stray-marker", [{"set": [scan + span // 3, "ffc4"]}]))
    # Headers.
    out.append(("soi-broken", [{"set": [0, "00"]}]))
    sof = first(segs, 0xC0, 0xC1, 0xC2)
    if sof is not None:
        at = sof[1] + 4                 # precision, height (2), width (2), components
        out.append(("sof-precision-12", [{"set": [at, "0c"]}]))
        out.append(("sof-height-0", [{"set": [at + 1, "0000"]}]))
        out.append(("sof-width-0", [{"set": [at + 3, "0000"]}]))
        out.append(("sof-huge", [{"set": [at + 1, "fde8fde8"]}]))       # 65000 x 65000: over Pillow's pixel limit
        out.append(("sof-taller", [{"set": [at + 1, struct.pack(">H", struct.unpack(">H", data[at + 1:at + 3])[0] * 2).hex()]}]))
        out.append(("sof-components-5", [{"set": [at + 5, "05"]}]))
        out.append(("sof-length-long", [{"set": [sof[1] + 2, "00ff"]}]))
        out.append(("sof-removed", [{"set": [sof[1] + 1, "fe"]}]))       # the frame header becomes a comment
    dqt = first(segs, 0xDB)
    if dqt is not None:
        out.append(("dqt-table-id-7", [{"set": [dqt[1] + 4, "07"]}]))
        out.append(("dqt-zeros", [{"set": [dqt[1] + 5, "00" * 64]}]))
    dht = first(segs, 0xC4)
    if dht is not None:
        out.append(("dht-counts", [{"set": [dht[1] + 5, "ff" * 16]}]))
        out.append(("dht-removed", [{"set": [dht[1] + 1, "fe"]}]))
    out.append(("sos-length-short", [{"set": [sos[1] + 2, "0002"]}]))
    out.append(("sos-component-id", [{"set": [sos[1] + 5, "09"]}]))
    app = first(segs, 0xE0, 0xE1, 0xEE)
    if app is not None:
        out.append(("app-length-zero", [{"set": [app[1] + 2, "0000"]}]))
    return out


def apply(data, edits):
    b = bytearray(data)
    for e in edits:
        if "truncate" in e:
            del b[e["truncate"]:]
        elif "xor" in e:
            at, mask = e["xor"]
            b[at] ^= mask
        else:
            at, hexbytes = e["set"]
            raw = bytes.fromhex(hexbytes)
            b[at:at + len(raw)] = raw
    return bytes(b)


def pillow_outcome(data):
    try:
        with Image.open(io.BytesIO(data)) as im:
            rgb = im.convert("RGB")
        return {"decoded": True, "size": list(rgb.size), "sha256": hashlib.sha256(rgb.tobytes()).hexdigest()}
    except Exception as e:  # every refusal is recorded: its type and text are the fixture's "reason"
        # (without the object addresses that Pillow's messages print, so that reruns write the same file)
        return {"decoded": False, "error": re.sub(r" at 0x[0-9a-f]+", "", f"{type(e).__name__}: {e}")}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args()
    rng = random.Random(21)
    records = []
    for source in SOURCES:
        with open(os.path.join(PHOTOS, source), "rb") as f:
            data = f.read()
        for mutant, edits in mutants(source, data, rng):
            records.append({"source": source, "mutant": mutant, "edits": edits,
                            "pillow": pillow_outcome(apply(data, edits))})
    decoded = sum(r["pillow"]["decoded"] for r in records)
    fixture = {
        "generator": "tools/make_corrupt_jpegs.py",
        "pillow": PIL.__version__,
        "call": "Image.open(f).convert('RGB'); sha256 of tobytes()",
        "sources_folder": "tests/Harness.Tests/Pipeline/reference",
        "mutants": records,
    }
    with open(args.out, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")
    print(f"{args.out}: {len(records)} mutants, Pillow decodes {decoded}, refuses {len(records) - decoded}")


if __name__ == "__main__":
    main()
