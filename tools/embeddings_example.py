#!/usr/bin/env python3
"""Use TraceProbe's embeddings files from Python (numpy and the standard library; `safetensors` where installed).

    # a run's embeddings with their labels, and the run's results
    python3 tools/embeddings_example.py show results/embeddings/resnet18/jpeg.safetensors --summary results/summary.csv

    # bring your own embeddings: a file that `traceprobe probe` and `traceprobe knn` accept
    python3 tools/embeddings_example.py write mine.safetensors
    traceprobe probe --embeddings mine.safetensors --out results/mine
    traceprobe knn --embeddings mine.safetensors --out results/mine-knn

    # rewrite any embeddings file (an earlier layout too) in the current layout, streaming its rows
    python3 tools/embeddings_example.py convert old.safetensors new.safetensors

The layout is docs/embeddings-format.md; tools/embeddings_format.py reads and writes it (import it as this script
does). The embeddings are a numpy memmap, so `show` opens a file of any size at once and reads only what it prints.
"""
import argparse
import csv
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import embeddings_format as ef  # noqa: E402  (beside this script)

# The JPEG task's classes as encoders.json registers them: a file for a registered task must use its processing ids.
JPEG_CLASSES = ["JPEG75_420", "JPEG75_444", "JPEG85_420", "JPEG85_444", "JPEG95_420", "JPEG95_444"]


def rows_as_json(data, count):
    """The first rows' values and labels, as plain JSON types (what `show --json` prints)."""
    n = min(count, data["embeddings"].shape[0])

    def names(column):
        if data[column] is None:
            return None
        return ef.decode(data[ef.VOCABULARY[column]], data[column][:n])

    return {
        "version": data["version"],
        "rows": int(data["embeddings"].shape[0]),
        "dim": int(data["embeddings"].shape[1]),
        "metadata": data["metadata"],
        "keys": [data["keys"][i] for i in range(n)],
        "stored_keys": data["stored_keys"],
        "processing": names("processing"),
        "split": names("split"),
        "photos": [data["photo_names"][p] for p in data["photo"][:n].tolist()],
        "crop": data["crop"][:n].tolist(),
        "done": data["done"][:n].tolist(),
        "semantic": names("semantic"),
        "label": names("label"),
        "embeddings": np.asarray(data["embeddings"][:n], np.float64).tolist(),
        "container_problems": data["container_problems"],
    }


def per_processing(data, limit):
    """Per processing, over the first `limit` rows: counts, mean norm, and how far its mean row is from the overall one."""
    x = data["embeddings"]
    n = min(limit, x.shape[0])
    codes = data["processing"][:n]
    count = len(data["processing_names"])
    sums = np.zeros((count, x.shape[1]), np.float64)
    norms = np.zeros(count)
    block = 16384
    for start in range(0, n, block):
        rows = np.asarray(x[start:min(start + block, n)])
        c = codes[start:start + len(rows)]
        for j in np.unique(c):
            mine = rows[c == j]
            sums[j] += mine.sum(0, dtype=np.float64)
            norms[j] += np.linalg.norm(mine, axis=1).sum(dtype=np.float64)
    rows_per = np.bincount(codes, minlength=count)
    overall = sums.sum(0) / max(n, 1)
    print(f"per processing (first {n:,} of {x.shape[0]:,} rows): rows, train/test, mean norm, "
          "cosine of its mean row to the overall mean row")
    split = data["split"][:n] if data["split"] is not None else None
    for j, name in enumerate(data["processing_names"]):
        mean = sums[j] / max(rows_per[j], 1)
        cosine = mean @ overall / max(np.linalg.norm(mean) * np.linalg.norm(overall), 1e-12)
        sides = ""
        if split is not None:
            sides = "/".join(str(int(((codes == j) & (split == s)).sum())) for s in range(len(data["split_names"])))
        print(f"  {name:<24} {rows_per[j]:>9,}  {sides:>13}  {norms[j] / max(rows_per[j], 1):.4f}  {cosine:+.4f}")


def show_summary(path, rows):
    """The summary's first rows, then each task's top-1 (probe and kNN) with its 95% interval."""
    with open(path, newline="", encoding="utf-8") as f:
        records = list(csv.DictReader(f))
    print(f"\n{path}: {len(records)} records; the first {min(rows, len(records))}:")
    for r in records[:rows]:
        print("  " + ", ".join(f"{k}={r[k]}" for k in ("encoder", "experiment", "task", "setup", "metric", "value")))
    print("top-1 per task:")
    for r in records:
        if r["metric"] != "top1":
            continue
        interval = f" [{float(r['ci95_low']):.3f}, {float(r['ci95_high']):.3f}]" if r["ci95_low"] else ""
        chance = f" (chance {float(r['chance']):.3f})" if r["chance"] else ""
        setup = f" {r['setup']}" if r["setup"] else ""
        print(f"  {r['encoder']}/{r['task']} {r['experiment']}{setup}: {float(r['value']):.3f}{interval}{chance}")


def show_with_safetensors(path, problems):
    """The same file through Python's `safetensors`, where it is installed (it is optional here)."""
    try:
        from safetensors import safe_open
    except ImportError:
        verdict = "would open it" if not problems else f"would refuse it ({'; '.join(problems)}): `convert` it"
        print(f"\n(safetensors is not installed: numpy alone read the file; by its rules safetensors {verdict})")
        return
    try:
        with safe_open(path, framework="np") as f:
            first = f.get_slice("embeddings")[0:2]
            print(f"\nsafetensors opens it too: tensors {list(f.keys())}, embeddings {f.get_slice('embeddings').get_shape()},"
                  f" first values {np.asarray(first[0, :4], np.float64).round(4).tolist() if len(first) else []}")
    except Exception as e:  # an earlier-layout file whose header is over safetensors' 100 MB limit
        print(f"\nsafetensors cannot open it ({e}); numpy could")


def show(args):
    data = ef.read(args.embeddings)
    if args.json:
        json.dump(rows_as_json(data, args.rows), sys.stdout, ensure_ascii=False)
        print()
        return
    x = data["embeddings"]
    meta = data["metadata"]
    print(f"{args.embeddings}: layout {data['version']}, {x.shape[0]:,} rows x {x.shape[1]}, "
          f"encoder {meta.get('encoder', '?')}, task {meta.get('task', '?')}, {len(data['photo_names']):,} photos, "
          f"{int((~data['done']).sum()):,} rows not embedded")
    print(f"metadata: {json.dumps(meta, ensure_ascii=False)[:400]}")
    print(f"the first {min(args.rows, x.shape[0])} rows:")
    semantic = data["semantic"]
    for r in range(min(args.rows, x.shape[0])):
        print(f"  {data['keys'][r]}: {data['processing_names'][data['processing'][r]]},"
              f" {data['split_names'][data['split'][r]] if data['split'] is not None else '-'},"
              f" photo {data['photo_names'][data['photo'][r]]}, crop {data['crop'][r]},"
              f" semantic {ef.decode(data['semantic_names'], semantic[r:r + 1])[0] if semantic is not None else '-'},"
              f" {np.asarray(x[r, :4], np.float64).round(4).tolist()}...")
    per_processing(data, args.stats_rows)
    if args.summary:
        show_summary(args.summary, args.rows)
    show_with_safetensors(args.embeddings, data["container_problems"])


def write(args):
    """A small synthetic set: photos of a few semantic classes, each under every processing, with a processing trace."""
    rng = np.random.default_rng(args.seed)
    processings = args.processing or JPEG_CLASSES
    p, c, d = args.photos, len(processings), args.dim
    classes = [f"class{k}" for k in range(args.classes)]
    # Classes dealt evenly and at random (not by photo number, which also decides the split).
    semantic_of_photo = rng.permutation(np.arange(p) % len(classes))
    # Each row = its photo's class direction + its processing's direction + noise: the probe finds the processing,
    # kNN the class, and the processing pulls neighbours across classes (the distraction the paper measures).
    class_dir = rng.standard_normal((len(classes), d))
    processing_dir = rng.standard_normal((c, d))
    photo_noise = rng.standard_normal((p, d))
    rows = (0.8 * class_dir[semantic_of_photo][:, None, :] + 0.6 * processing_dir[None, :, :]
            + 0.8 * photo_noise[:, None, :] + 0.3 * rng.standard_normal((p, c, d))).reshape(p * c, d)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    photo = np.repeat(np.arange(p), c)
    test_photo = np.arange(p) % 2 == 1  # every other photo is held out, with all its processed copies
    ef.write(args.out, rows.astype(np.float32),
             processing=ef.Coded(np.tile(np.arange(c), p), processings),
             split=ef.Coded(test_photo[photo].astype(np.int32), ["train", "test"]),
             photos=ef.Coded(photo, [f"photo{k:04d}.jpg" for k in range(p)]),
             semantic=ef.Coded(semantic_of_photo[photo], classes),
             metadata={"encoder": args.encoder, "task": args.task, "seed": args.seed})
    print(f"wrote {args.out}: {p * c} rows x {d} ({p} photos x {c} processings, {len(classes)} semantic classes, "
          f"{int(test_photo.sum())} test photos)")


def convert(args):
    """Any embeddings file rewritten in the current layout, its rows copied a block at a time."""
    data = ef.read(args.input)
    meta = {k: v for k, v in data["metadata"].items() if k != "format"}

    def coded(column):
        return None if data[column] is None else ef.Coded(data[column], data[ef.VOCABULARY[column]])

    if data["split"] is None:
        raise SystemExit(f"{args.input} has no split (train/test per row): probe and knn need one")
    ef.write(args.output, data["embeddings"], processing=coded("processing"), split=coded("split"),
             photos=ef.Coded(data["photo"], data["photo_names"]), semantic=coded("semantic"), label=coded("label"),
             crop=data["crop"], done=data["done"], keys=data["keys"] if data["stored_keys"] else None, metadata=meta)
    print(f"wrote {args.output}: {data['embeddings'].shape[0]:,} rows, layout {ef.FORMAT}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    s = commands.add_parser("show", help="print an embeddings file's rows, labels and per-processing means (and a summary.csv)")
    s.add_argument("embeddings", help="an embeddings .safetensors file (either layout)")
    s.add_argument("--summary", help="the run's summary.csv: its first rows and each task's top-1")
    s.add_argument("--rows", type=int, default=5, help="rows to print (default: 5)")
    s.add_argument("--stats-rows", type=int, default=100_000,
                   help="rows the per-processing means read, from the start (default: 100,000)")
    s.add_argument("--json", action="store_true", help="print the first --rows rows as JSON instead (for programs)")
    s.set_defaults(run=show)

    w = commands.add_parser("write", help="write a small synthetic file that `probe` and `knn` accept")
    w.add_argument("out", help="the file to write (.safetensors)")
    w.add_argument("--photos", type=int, default=128, help="photos, each under every processing (default: 128)")
    w.add_argument("--dim", type=int, default=32, help="dimensions (default: 32)")
    w.add_argument("--classes", type=int, default=4, help="semantic classes (default: 4)")
    w.add_argument("--processing", nargs="+", help=f"processing ids (default: the jpeg task's, {' '.join(JPEG_CLASSES)})")
    w.add_argument("--task", default="jpeg", help="task id; a registered task's processing ids must be its classes' (default: jpeg)")
    w.add_argument("--encoder", default="my-encoder", help="encoder id to record (default: my-encoder)")
    w.add_argument("--seed", type=int, default=0, help="seed of the synthetic rows (default: 0)")
    w.set_defaults(run=write)

    c = commands.add_parser("convert", help="rewrite an embeddings file (either layout) in the current layout")
    c.add_argument("input")
    c.add_argument("output")
    c.set_defaults(run=convert)

    args = parser.parse_args(argv)
    args.run(args)


if __name__ == "__main__":
    main()
