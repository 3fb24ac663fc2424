#!/usr/bin/env python3
"""Write a synthetic embeddings file for measuring `traceprobe knn` at scale (memory, resume).

    python3 tools/knn_scale_file.py TRAIN_ROWS HELD_OUT_PHOTOS DIM OUT.safetensors

The file has the layout `run` writes: random unit rows, TRAIN_ROWS training items (one processing each,
which kNN never reads) and HELD_OUT_PHOTOS test photos each under 6 processings, 10 semantic classes, with
the per-item metadata (keys, processing, photos, crops, split, done, semantic) as JSON arrays in the header.
docs/scaling.md quotes runs on `152400`-row (150000 400 768) and 8,000-photo (0 8000 768) files. Needs numpy.
"""
import json
import struct
import sys

import numpy as np


def main() -> None:
    train, test, dim, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    processings = [f"proc{i}" for i in range(6)]
    keys, processing, photos, crops, split, semantic = [], [], [], [], [], []

    def add(photo: str, proc: str, side: str, cls: str) -> None:
        keys.append(f"{photo}#crop0"); processing.append(proc); photos.append(photo)
        crops.append(0); split.append(side); semantic.append(cls)

    for t in range(train):
        add(f"tr{t}", processings[t % 6], "train", f"c{t % 10}")
    for t in range(test):
        for proc in processings:
            add(f"te{t}", proc, "test", f"c{t % 10}")
    n = len(keys)
    x = np.random.default_rng(0).standard_normal((n, dim), dtype=np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    metadata = {"keys": keys, "processing": processing, "photos": photos, "crops": crops, "split": split,
                "done": [True] * n, "semantic": semantic}
    header = {"__metadata__": {**{k: json.dumps(v) for k, v in metadata.items()}, "task": "synthetic", "encoder": "synthetic"},
              "embeddings": {"dtype": "F32", "shape": [n, dim], "data_offsets": [0, n * dim * 4]}}
    encoded = json.dumps(header).encode()
    with open(out, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        f.write(x.astype("<f4").tobytes())
    print(f"{n} rows, {n * dim * 4 / 2**20:.1f} MiB of rows")


if __name__ == "__main__":
    main()
