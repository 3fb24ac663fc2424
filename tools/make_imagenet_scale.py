#!/usr/bin/env python3
"""Write a synthetic paper-mode embeddings file at ImageNet's scale, for measuring `probe` and `knn` out of core.

    python3 tools/make_imagenet_scale.py OUT.safetensors                      # 1,281,167 + 50,000 images x 6 x 768: 24.5 GB
    python3 tools/make_imagenet_scale.py OUT.safetensors --dim 384            # half the disk
    python3 tools/make_imagenet_scale.py OUT.safetensors --train 1000 --val 200 --dim 8   # a small one for tests

The file has the layout `run --protocol paper` writes for a processing task (docs/embeddings-format.md): every image
under every class of the task, photo-major (photo k under class c is row k * classes + c), the train images first and
then the val images (split `test`, as paper mode names the dataset's val), photos named as the ImageNet folder
dataset keys them (`train/n00000003/n00000003_10042.JPEG`, `val/n00000003/ILSVRC2012_val_00000151.JPEG`, over
synthetic class folders), the class folder as the semantic class, and random unit rows (seeded). The task's classes
and their processing ids are read from encoders.json, so they are the ones the harness runs. Keys are not stored by
default: paper mode's keys are `photo#class`, which the format's default key (`photo#processing`) already gives.

Needs numpy. Memory stays bounded (the rows are written --block-rows at a time); progress goes to stderr.
"""
import argparse
import json
import os
import shutil
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import embeddings_format as ef  # noqa: E402  (beside this script)

REGISTRY = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "encoders.json")


def task_processings(registry, task):
    """The task's processing ids in class order, as paper mode names its rows (a class's ops joined with '+')."""
    with open(registry, encoding="utf-8") as f:
        tasks = {t["id"]: t for t in json.load(f)["tasks"]}
    if task not in tasks:
        raise SystemExit(f"--task: '{task}' is not in {registry}; known: {', '.join(tasks)}")
    if tasks[task].get("kind") != "processing":
        raise SystemExit(f"--task: '{task}' is an {tasks[task].get('kind')} task; paper mode's layout is for processing tasks")
    return ["+".join(c["ops"]) for c in tasks[task]["classes"]]


def photos(train, val, classes):
    """Photo names (train then val, each side in key order) and each photo's class, spread as evenly as ImageNet's."""
    folders = [f"n{c:08d}" for c in range(classes)]
    names, labels = [], []
    for side, count in (("train", train), ("val", val)):
        per_class = [count // classes + (1 if c < count % classes else 0) for c in range(classes)]
        for c, m in enumerate(per_class):
            base = len(labels) - (train if side == "val" else 0)
            for k in range(m):
                if side == "train":
                    names.append(f"train/{folders[c]}/{folders[c]}_{10000 + k}.JPEG")
                else:
                    names.append(f"val/{folders[c]}/ILSVRC2012_val_{base + k + 1:08d}.JPEG")
                labels.append(c)
    return names, np.asarray(labels, np.int32), folders


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="The full-size file is 24.5 GB at 768 dimensions; check the disk first.")
    parser.add_argument("out", help="the embeddings file to write (.safetensors)")
    parser.add_argument("--train", type=int, default=1_281_167, help="train images (default: ImageNet's 1,281,167)")
    parser.add_argument("--val", type=int, default=50_000, help="val images, written as split 'test' (default: 50,000)")
    parser.add_argument("--dim", type=int, default=768, help="embedding dimensions (default: 768)")
    parser.add_argument("--classes", type=int, default=1000, help="synthetic semantic classes (default: 1000)")
    parser.add_argument("--task", default="jpeg", help="the processing task whose classes the rows are under (default: jpeg)")
    parser.add_argument("--encoder", default="clip-vit-l14", help="the encoder id the file names (default: clip-vit-l14, 768-d)")
    parser.add_argument("--registry", default=REGISTRY, help="encoders.json to read the task from (default: the repository's)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random rows (default: 0)")
    parser.add_argument("--block-rows", type=int, default=50_000, help="rows generated and written at a time (default: 50,000)")
    parser.add_argument("--keys", action="store_true",
                        help="store every row's key too (photo#class: about 45 bytes a row, 0.4 GB more memory at full size)")
    args = parser.parse_args(argv)
    if args.train < 1 or args.val < 1 or args.dim < 1 or args.classes < 1 or args.block_rows < 1:
        parser.error("--train, --val, --dim, --classes and --block-rows must be at least 1")

    processings = task_processings(args.registry, args.task)
    c = len(processings)
    names, labels, folders = photos(args.train, args.val, args.classes)
    p = len(names)
    n = p * c
    size = n * args.dim * 4
    free = shutil.disk_usage(os.path.dirname(os.path.abspath(args.out))).free
    if size > free:
        raise SystemExit(f"{n:,} rows x {args.dim} need {size / 1e9:.1f} GB; {free / 1e9:.1f} GB are free there")
    print(f"{p:,} images ({args.train:,} train, {args.val:,} val) x {c} classes of '{args.task}' = {n:,} rows x {args.dim}"
          f" ({size / 1e9:.2f} GB of rows) -> {args.out}", file=sys.stderr, flush=True)

    # Photo-major: photo k under class j is row k * c + j.
    photo = np.repeat(np.arange(p, dtype=np.int32), c)
    columns = dict(
        processing=ef.Coded(np.tile(np.arange(c, dtype=np.int32), p), processings),
        split=ef.Coded(np.repeat((np.arange(p) >= args.train).astype(np.int32), c), ["train", "test"]),
        photos=ef.Coded(photo, names),
        semantic=ef.Coded(labels[photo], folders),
        crop=np.zeros(n, np.int32),
        done=np.ones(n, np.uint8),
        keys=(f"{names[k]}#{processings[j]}" for k in range(p) for j in range(c)) if args.keys else None,
        metadata={"encoder": args.encoder, "task": args.task, "layout": "paper", "seed": str(args.seed),
                  "synthetic": "random unit rows, not an encoder's embeddings"},
    )
    rng = np.random.default_rng(args.seed)
    start = time.monotonic()
    with ef.Writer(args.out, n, args.dim, **columns) as writer:
        for first in range(0, n, args.block_rows):
            rows = rng.standard_normal((min(args.block_rows, n - first), args.dim), dtype=np.float32)
            rows /= np.linalg.norm(rows, axis=1, keepdims=True)
            writer.append(rows)
            done = first + len(rows)
            # A line per 2% (not a carriage-return counter), so that a log of the run stays readable.
            if done * 50 // n > first * 50 // n or done == n:
                elapsed = time.monotonic() - start
                print(f"{done:,}/{n:,} rows, {done * args.dim * 4 / 1e6 / max(elapsed, 1e-9):.0f} MB/s,"
                      f" {elapsed:.0f} s, about {elapsed * (n - done) / done:.0f} s left", file=sys.stderr, flush=True)
    print(f"wrote {args.out}: {os.path.getsize(args.out):,} bytes in {time.monotonic() - start:.1f} s",
          file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
