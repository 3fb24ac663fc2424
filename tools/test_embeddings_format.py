#!/usr/bin/env python3
"""Unit tests of embeddings_format.py (the Python reader and writer of docs/embeddings-format.md).

    /usr/bin/python3 -m unittest tools/test_embeddings_format.py -v

Needs numpy. The C# suite runs them (tests/Harness.Tests/Embeddings/PythonExampleTests.cs), and checks the files
against the program's own reader and writer there.
"""
import json
import os
import struct
import sys
import tempfile
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import embeddings_format as ef  # noqa: E402


def header_of(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        return n, json.loads(f.read(n))


class EmbeddingsFormatTests(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "e.safetensors")

    def tearDown(self):
        self.dir.cleanup()

    def test_a_file_round_trips_every_column(self):
        x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
        ef.write(self.path, x, ["b", "a", "b", "a"], ["train", "test", "test", "test"], photos=["p", "p", "q", "r"],
                 semantic=["s", None, "t", "s"], crop=[0, 1, 0, 0], done=[1, 1, 0, 1], keys=["k0", "k1", "k2", "k3"],
                 label=["l1", "l0", None, "l1"], metadata={"encoder": "e", "seed": 3})
        d = ef.read(self.path)
        np.testing.assert_array_equal(d["embeddings"], x)
        self.assertEqual(list(d["processing_names"][d["processing"]]), ["b", "a", "b", "a"])
        self.assertEqual(list(d["split_names"][d["split"]]), ["train", "test", "test", "test"])
        self.assertEqual(list(d["photo_names"][d["photo"]]), ["p", "p", "q", "r"])
        self.assertEqual(ef.decode(d["semantic_names"], d["semantic"]), ["s", None, "t", "s"])
        self.assertEqual(ef.decode(d["label_names"], d["label"]), ["l1", "l0", None, "l1"])
        self.assertEqual(d["crop"].tolist(), [0, 1, 0, 0])
        self.assertEqual(d["done"].tolist(), [True, True, False, True])
        self.assertEqual(list(d["keys"]), ["k0", "k1", "k2", "k3"])
        self.assertEqual((d["metadata"]["encoder"], d["metadata"]["seed"], d["metadata"]["format"]), ("e", "3", ef.FORMAT))
        self.assertEqual(d["container_problems"], [])

    def test_metadata_the_reader_does_not_know_passes_through_a_read_and_a_rewrite_untouched(self):
        # As the program writes them: the photos a file was embedded from (a JSON object in a string), the registry.
        unknown = {"source_dataset": json.dumps({"root": "photos/\u00e9t\u00e9", "layout": "folder", "files": 2,
                                                 "sha256": "0" * 64}),
                   "registry_sha256": "f" * 64, "a_later_key": " spaced\n"}
        ef.write(self.path, np.eye(2, dtype=np.float32), ["a", "b"], ["train", "test"], metadata=unknown)
        d = ef.read(self.path)
        self.assertEqual({k: d["metadata"][k] for k in unknown}, unknown)
        again = os.path.join(self.dir.name, "again.safetensors")
        ef.write(again, d["embeddings"], ef.Coded(d["processing"], d["processing_names"]),
                 ef.Coded(d["split"], d["split_names"]), metadata={k: v for k, v in d["metadata"].items() if k != "format"})
        self.assertEqual(ef.read(again)["metadata"], d["metadata"])

    def test_the_tensors_are_stored_in_the_documented_order_contiguous_and_aligned(self):
        ef.write(self.path, np.ones((2, 2), np.float32), ["a", "b"], ["train", "test"], photos=["p", "q"],
                 semantic=["s", "s"], crop=[0, 0], done=[1, 1], keys=["x", "y"], label=["l", "l"])
        n, header = header_of(self.path)
        self.assertEqual(n % 8, 0)
        tensors = [k for k in header if k != "__metadata__"]
        self.assertEqual(tensors, ef.ORDER)
        self.assertEqual(sorted(tensors, key=lambda k: header[k]["data_offsets"]), ef.ORDER)
        at = 0
        for name in tensors:
            begin, end = header[name]["data_offsets"]
            self.assertEqual(begin, at, name)
            self.assertEqual(header[name]["dtype"], ef.DTYPE[name])
            at = end
        self.assertEqual(8 + n + at, os.path.getsize(self.path))

    def test_rows_are_appended_block_by_block_and_a_short_file_is_never_published(self):
        with ef.Writer(self.path, 5, 2, ef.Coded(np.zeros(5), ["a"]), ef.Coded(np.zeros(5), ["train"])) as w:
            w.append(np.zeros((2, 2)))
            w.append(np.ones((3, 2)))
        self.assertEqual(ef.read(self.path)["embeddings"][:, 0].tolist(), [0, 0, 1, 1, 1])
        other = os.path.join(self.dir.name, "short.safetensors")
        with self.assertRaises(ValueError):
            with ef.Writer(other, 5, 2, ["a"] * 5, ["train"] * 5) as w:
                w.append(np.zeros((2, 2)))
        with self.assertRaises(ValueError):
            with ef.Writer(other, 1, 2, ["a"], ["train"]) as w:
                w.append(np.zeros((2, 2)))
        self.assertEqual(sorted(os.listdir(self.dir.name)), ["e.safetensors"])

    def test_a_header_over_safetensors_limit_is_refused(self):
        with self.assertRaises(ValueError) as e:
            ef.write(self.path, np.ones((1, 1), np.float32), ["a"], ["train"], metadata={"pad": "x" * ef.HEADER_LIMIT})
        self.assertIn("100,000,000", str(e.exception))
        self.assertEqual(os.listdir(self.dir.name), [])

    def test_the_least_file_reads_with_the_documented_defaults(self):
        ef.write(self.path, np.eye(2, dtype=np.float32), ["a", "b"], ["train", "test"])
        d = ef.read(self.path)
        self.assertEqual(len(set(d["photo_names"][d["photo"]])), 2)
        self.assertEqual(list(d["keys"]), [f"{d['photo_names'][0]}#a", f"{d['photo_names'][1]}#b"])
        self.assertEqual((d["crop"].tolist(), d["done"].tolist(), d["semantic"]), ([0, 0], [True, True], None))
        self.assertFalse(d["stored_keys"])

    def test_an_earlier_layout_file_reads_as_the_same_dict(self):
        rows = np.arange(6, dtype=np.float32).reshape(3, 2)
        meta = {"keys": ["a.jpg#crop0", "a.jpg#crop1", "b#1.jpg"], "processing": ["P1", "P2", "P1"],
                "split": ["train", "train", "test"], "done": [True, False, True], "semantic": ["c", "c", None]}
        header = {"__metadata__": {**{k: json.dumps(v) for k, v in meta.items()}, "encoder": "e", "dim": "2"},
                  "embeddings": {"dtype": "F32", "shape": [3, 2], "data_offsets": [0, 24]}}
        encoded = json.dumps(header).encode()
        with open(self.path, "wb") as f:
            f.write(struct.pack("<Q", len(encoded)) + encoded + rows.tobytes())
        d = ef.read(self.path)
        self.assertEqual(d["version"], 1)
        np.testing.assert_array_equal(d["embeddings"], rows)
        self.assertEqual(list(d["processing_names"][d["processing"]]), ["P1", "P2", "P1"])
        # No `photos` or `crops`: only an exact "#cropN" suffix is split off the key, as the program does.
        self.assertEqual(list(d["photo_names"][d["photo"]]), ["a.jpg", "a.jpg", "b#1.jpg"])
        self.assertEqual(d["crop"].tolist(), [0, 1, 0])
        self.assertEqual(d["done"].tolist(), [True, False, True])
        self.assertEqual(ef.decode(d["semantic_names"], d["semantic"]), ["c", "c", None])
        self.assertEqual(d["metadata"], {"encoder": "e"})

    def test_a_truncated_file_and_an_unknown_format_are_refused_naming_the_file(self):
        ef.write(self.path, np.ones((3, 2), np.float32), ["a"] * 3, ["train"] * 3)
        with open(self.path, "rb") as f:
            data = f.read()
        with open(self.path, "wb") as f:
            f.write(data[:-4])
        with self.assertRaises(ValueError) as e:
            ef.read(self.path)
        self.assertIn(self.path, str(e.exception))
        other = os.path.join(self.dir.name, "future.safetensors")
        ef.write(other, np.ones((1, 1), np.float32), ["a"], ["train"], metadata={"note": "x"})
        with open(other, "r+b") as f:
            content = f.read().replace(b"traceprobe.embeddings/2", b"traceprobe.embeddings/9")
            f.seek(0)
            f.write(content)
        with self.assertRaises(ValueError) as e:
            ef.read(other)
        self.assertIn("traceprobe.embeddings/9", str(e.exception))


if __name__ == "__main__":
    unittest.main()
