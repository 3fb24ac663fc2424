#!/usr/bin/env python3
"""Tests of export_onnx.py on real PyTorch (no weights, no network).

    /usr/bin/python3 -m unittest tools/test_export_onnx.py -v

Skipped, with the reason, where torch, torchvision or onnx is not installed; the C# tests check the
committed fixtures on every run whatever is installed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import export_onnx as ex  # noqa: E402

MISSING = [m for m in ("torch", "torchvision", "onnx", "PIL") if importlib.util.find_spec(m) is None]
REASON = f"needs {', '.join(MISSING)} (Debian: python3-torch python3-torchvision python3-onnx python3-pil)"


@unittest.skipIf(MISSING, REASON)
class ExportTests(unittest.TestCase):
    registry = ex.load_registry(ex.REPO_ROOT / "encoders.json")

    def test_every_export_check_entry_exports_to_the_committed_digest(self):
        # The same code path a user runs; the digests in encoders.json are those of the committed fixtures.
        with tempfile.TemporaryDirectory() as tmp:
            for entry in self.registry["encoders"]:
                if not entry["id"].startswith("export-check/"):
                    continue
                path, _ = ex.export(entry, Path(tmp), 17, force=True, external_data=entry["id"].endswith("-external"))
                self.assertEqual(entry["model"]["sha256"], ex.sha256_of_model(path), entry["id"])

    def test_the_digest_covers_external_data_in_order(self):
        entry = ex.find_encoder(self.registry, "export-check/resnet-external")
        with tempfile.TemporaryDirectory() as tmp:
            path, _ = ex.export(entry, Path(tmp), 17, force=True, external_data=True)
            files = ex.external_data_files(path)
            self.assertEqual([path.name + ".data"], [f.name for f in files])
            concatenated = hashlib.sha256(path.read_bytes() + files[0].read_bytes()).hexdigest()
            self.assertEqual(concatenated, ex.sha256_of_model(path))
            self.assertNotEqual(hashlib.sha256(path.read_bytes()).hexdigest(), ex.sha256_of_model(path))

    def test_a_stored_dinov2_position_embedding_gives_the_interpolating_forward(self):
        import torch

        import make_export_fixtures as fx

        model = fx.dinov2_style_vit()
        x = torch.randn(3, 3, 224, 224, generator=torch.Generator().manual_seed(1))
        with torch.no_grad():
            interpolating = model(x)
            ex.freeze_position_embedding(model, 224, 224)
            frozen = model(x)
        self.assertTrue(torch.equal(interpolating, frozen))
        # Another size still interpolates rather than returning the stored embedding.
        with torch.no_grad():
            self.assertEqual((1, 32), tuple(model(torch.randn(1, 3, 252, 252)).shape))

    def test_a_moco_v3_checkpoint_gives_its_base_encoder_without_the_projection_head(self):
        # A checkpoint laid out as MoCo v3 publishes them (main_moco.py's state): the base and momentum encoders,
        # each with its projection MLP in place of fc, behind DistributedDataParallel's "module." prefix.
        import os

        import torch
        import torchvision

        torch.manual_seed(3)
        base = torchvision.models.resnet50()
        state = {"module.base_encoder." + k: v for k, v in base.state_dict().items() if not k.startswith("fc.")}
        state.update({"module.base_encoder.fc.0.weight": torch.randn(16, 2048), "module.momentum_encoder.conv1.weight": torch.randn(1)})
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "r-50-test.pth.tar"
            torch.save({"state_dict": state, "epoch": 1}, path)
            previous = os.environ.get("TORCH_HOME")
            os.environ["TORCH_HOME"] = tmp  # where torch.hub caches the download
            try:
                model = ex.build_moco_v3("mocov3_resnet50", path.as_uri())
            finally:
                if previous is None:
                    os.environ.pop("TORCH_HOME")
                else:
                    os.environ["TORCH_HOME"] = previous
        loaded = model.model.state_dict()
        self.assertTrue(torch.equal(base.state_dict()["layer4.2.conv3.weight"], loaded["layer4.2.conv3.weight"]))
        self.assertFalse(any(k.startswith("fc.") for k in loaded))
        with torch.no_grad():
            self.assertEqual((1, 2048), tuple(model.eval()(torch.rand(1, 3, 224, 224)).shape))

    def test_nhwc_and_float16_inputs_reach_the_model_as_nchw_float32(self):
        import torch

        entry = json.loads(json.dumps(ex.find_encoder(self.registry, "export-check/resnet")))
        model = ex.build(entry)
        x = torch.rand(2, 3, 224, 224)
        reference = ex.torch_embeddings(model, entry, x)
        for layout, dtype in (("NHWC", "float32"), ("NCHW", "float16")):
            entry["input"].update(layout=layout, dtype=dtype)
            fed = ex.to_graph_input(x, entry)
            self.assertEqual(torch.float16 if dtype == "float16" else torch.float32, fed.dtype)
            self.assertEqual((2, 224, 224, 3) if layout == "NHWC" else (2, 3, 224, 224), tuple(fed.shape))
            max_abs, min_cos = ex.compare(reference.numpy(), ex.torch_embeddings(model, entry, x).numpy())
            self.assertGreater(min_cos, 0.9999, (layout, dtype, max_abs))


if __name__ == "__main__":
    unittest.main()
