#!/usr/bin/env python3
"""The reference's preprocessing timed on the photos TraceProbe's benchmarks use, one thread: the peer of
benchmarks/PreprocessingBenchmarks.cs, to be run in the same session (docs/benchmarks.md).

Run with Debian 12's packages (python3-pil 9.4, python3-torch 1.13, python3-torchvision 0.14) and the system
interpreter:

    /usr/bin/python3 tools/reference_speed.py [--photos DIR] [--count 16] [--rounds 7]

The photos are the first --count image files under --photos (default: data/photos, which the program bundles),
by their '/'-separated relative path in ordinal order, as PhotoCollection orders them. Stages, as the paper's
code does them (its processors.py and the torchvision transform of an encoder):

  decode      Image.open(f).convert('RGB') from the file's bytes in memory
  JPEG95_444  save(quality=95, subsampling=0) to memory, then open().convert('RGB'): the stage ending most ops
  transform   Resize(224, bilinear), CenterCrop(224), ToTensor(), Normalize(ImageNet mean, std)
  JPEG task   per (image, processing) of the JPEG task as the reference runs it: every image decoded, given one
              of the 6 JPEG classes and the transform (one decode per processed image)

Each stage runs --rounds times over all photos after one warm-up round; the mean round and the fastest (the
machine's other load only ever adds time) are reported, as ms/image and images/s, like the benchmark suite's
"ms/image" (mean) and "fastest ms/image" columns.
"""
import argparse
import io
import os
import time

import torch
import torchvision.transforms as T
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
EXTENSIONS = {".jpg", ".jpeg", ".jpe", ".png", ".gif", ".webp", ".tif", ".tiff", ".bmp"}
JPEG_CLASSES = [(75, 2), (75, 0), (85, 2), (85, 0), (95, 2), (95, 0)]  # JPEG{q}_{420|444}: subsampling 2 | 0


def photos(folder, count):
    found = []
    for dirpath, _, files in os.walk(folder):
        for name in files:
            if os.path.splitext(name)[1].lower() in EXTENSIONS:
                found.append(os.path.relpath(os.path.join(dirpath, name), folder).replace(os.sep, "/"))
    found.sort()  # code-point order: .NET's StringComparer.Ordinal on these ASCII keys
    return [os.path.join(folder, key) for key in found[:count]]


def decode(data):
    return Image.open(io.BytesIO(data)).convert("RGB")


def jpeg(image, quality, subsampling):
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, subsampling=subsampling)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def rounds_of(work, items, rounds):
    work()
    times = [timed(work) / items for _ in range(rounds)]
    return sum(times) / len(times), min(times)


def timed(work):
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--photos", default=os.path.join(ROOT, "data", "photos"))
    ap.add_argument("--count", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    torch.set_num_threads(1)
    files = [open(p, "rb").read() for p in photos(args.photos, args.count)]
    decoded = [decode(b) for b in files]
    transform = T.Compose([
        T.Resize(224, interpolation=T.InterpolationMode.BILINEAR), T.CenterCrop(224), T.ToTensor(),
        T.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])])
    n = len(files)

    def task():
        for data in files:
            for quality, subsampling in JPEG_CLASSES:
                transform(jpeg(decode(data), quality, subsampling))

    stages = [
        ("decode", lambda: [decode(b) for b in files], n),
        ("JPEG95_444 stage", lambda: [jpeg(im, 95, 0) for im in decoded], n),
        ("transform", lambda: [transform(im) for im in decoded], n),
        ("JPEG task, per (image, processing)", task, n * len(JPEG_CLASSES)),
    ]
    mpx = sum(im.width * im.height for im in decoded) / n / 1e6
    print(f"Pillow {Image.__version__}, torch {torch.__version__}, one thread; {n} photos ({mpx:.2f} Mpx on average), "
          f"{args.rounds} rounds")
    print(f"| {'stage':<36} | ms/image | images/s | fastest ms/image | fastest images/s |")
    print(f"|{'-' * 38}|---------:|---------:|-----------------:|-----------------:|")
    for name, work, items in stages:
        mean, best = rounds_of(work, items, args.rounds)
        print(f"| {name:<36} | {mean * 1e3:8.2f} | {1 / mean:8.1f} | {best * 1e3:16.2f} | {1 / best:16.1f} |")


if __name__ == "__main__":
    main()
