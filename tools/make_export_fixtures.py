#!/usr/bin/env python3
"""Regenerate the export-check fixtures of the harness's tests (tests/Harness.Tests/Encoders/ExportCheck).

    /usr/bin/python3 tools/make_export_fixtures.py

Needs torch, torchvision, onnx and Pillow (Debian: python3-torch python3-torchvision python3-onnx python3-pil);
no network and no weights. What it does:

1. Exports the `export-check/*` entries of encoders.json (seeded random-init torchvision models: a ResNet,
   a ViT with a class token, a ConvNeXt taking NHWC float16, the ResNet again with its weights in external
   data and a fixed batch of 1) through export_onnx.py's own code path, and writes each model's sha256 into
   its entry. Adding them to the harness took nothing but those entries.
2. Exports the ResNet three more times, taking NHWC float32, NCHW float16, and a fixed batch of 2, for the
   tests that the encoder's feed conversion gives the NCHW float32 embedding and that a fixed batch runs.
3. Builds a DINOv2-with-registers-style ViT in plain PyTorch (random init, made at 518 px, run at 224 px with
   antialiased bicubic position-embedding interpolation, as dinov2_vit*14_reg is), shows that export fails on
   the interpolation and that export_onnx.freeze_position_embedding gives the same embeddings, and exports
   the frozen model.
4. Runs real photos (data/photos) through a plain torchvision transform and each PyTorch model, and writes
   the centre crops (PNG, lossless) and the embeddings to reference.json, which the C# tests compare with
   ONNX Runtime's.
"""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import export_onnx as ex  # noqa: E402

OUT = ex.REPO_ROOT / "tests" / "Harness.Tests" / "Encoders" / "ExportCheck"
REGISTRY = ex.REPO_ROOT / "encoders.json"
PHOTOS = ["animal/lomiri-1604-dogs-at-window.jpg", "plant/mate-green-leaf-veins.jpg", "object/plasma-colorful-cups.jpg", "landscape/plasma-foggy-pier.jpg"]
ENTRIES = ["export-check/resnet", "export-check/vit", "export-check/convnext", "export-check/resnet-external"]


def write_sha256(encoder_id: str, digest: str) -> None:
    """Puts the digest into the entry's "model" object in encoders.json, leaving the rest of the text as it is."""
    text = REGISTRY.read_text(encoding="utf-8")
    pattern = re.compile(r'("model": \{ "file": "' + re.escape(encoder_id) + r'/model\.onnx")(, "sha256": "[0-9a-f]{64}")? \}')
    text, n = pattern.subn(lambda m: f'{m.group(1)}, "sha256": "{digest}" }}', text)
    if n != 1:
        sys.exit(f"error: could not find the model line of '{encoder_id}' in {REGISTRY}")
    REGISTRY.write_text(text, encoding="utf-8")


def crops_and_embeddings(model, entry: dict, name: str) -> dict:
    """Saves the Pillow centre crops and returns PyTorch's embeddings on them (the crops' own tensors)."""
    import torch
    from PIL import Image

    transform = ex.photo_transform(entry)
    resize_crop, to_tensor = transform.transforms[:2], transform.transforms[2:]
    crops, tensors = [], []
    (OUT / "crops").mkdir(exist_ok=True)
    for photo in PHOTOS:
        with Image.open(ex.REPO_ROOT / "data" / "photos" / photo) as image:
            crop = image.convert("RGB")
            for t in resize_crop:
                crop = t(crop)
        file = f"crops/{Path(photo).stem}.{name}.png"
        crop.save(OUT / file)
        crops.append(file)
        x = crop
        for t in to_tensor:
            x = t(x)
        tensors.append(x)
    embeddings = ex.torch_embeddings(model, entry, torch.stack(tensors))
    return {"crops": crops, "embeddings": [[float(v) for v in row] for row in embeddings]}


# ---------------------------------------------------------------------------------------------
# A DINOv2-with-registers-style ViT in plain PyTorch. prepare_tokens_with_masks and
# interpolate_pos_encoding follow dinov2/models/vision_transformer.py (facebookresearch/dinov2) line for
# line; the blocks are torch's own encoder layers, which do not matter to the position embedding.
# ---------------------------------------------------------------------------------------------

def dinov2_style_vit():
    import torch
    from torch import nn

    class DinoV2StyleViT(nn.Module):
        def __init__(self, img_size=518, patch_size=14, dim=32, registers=4, antialias=True, offset=0.0):
            super().__init__()
            self.patch_size = patch_size
            self.interpolate_antialias = antialias
            self.interpolate_offset = offset
            self.patch_embed = nn.Conv2d(3, dim, patch_size, patch_size)
            n = (img_size // patch_size) ** 2
            self.cls_token = nn.Parameter(torch.randn(1, 1, dim) * 0.02)
            self.pos_embed = nn.Parameter(torch.randn(1, n + 1, dim) * 0.5)
            self.register_tokens = nn.Parameter(torch.randn(1, registers, dim) * 0.02)
            self.blocks = nn.TransformerEncoder(nn.TransformerEncoderLayer(dim, 2, 64, dropout=0.0, batch_first=True), 1)
            self.norm = nn.LayerNorm(dim, eps=1e-6)

        def interpolate_pos_encoding(self, x, w, h):
            previous_dtype = x.dtype
            npatch = x.shape[1] - 1
            N = self.pos_embed.shape[1] - 1
            if npatch == N and w == h:
                return self.pos_embed
            pos_embed = self.pos_embed.float()
            class_pos_embed = pos_embed[:, 0]
            patch_pos_embed = pos_embed[:, 1:]
            dim = x.shape[-1]
            w0 = w // self.patch_size
            h0 = h // self.patch_size
            M = int(math.sqrt(N))
            assert N == M * M
            kwargs = {}
            if self.interpolate_offset:
                kwargs["scale_factor"] = (float(w0 + self.interpolate_offset) / M, float(h0 + self.interpolate_offset) / M)
            else:
                kwargs["size"] = (w0, h0)
            patch_pos_embed = nn.functional.interpolate(
                patch_pos_embed.reshape(1, M, M, dim).permute(0, 3, 1, 2), mode="bicubic",
                antialias=self.interpolate_antialias, **kwargs)
            assert (w0, h0) == patch_pos_embed.shape[-2:]
            patch_pos_embed = patch_pos_embed.permute(0, 2, 3, 1).view(1, -1, dim)
            return torch.cat((class_pos_embed.unsqueeze(0), patch_pos_embed), dim=1).to(previous_dtype)

        def forward(self, x):
            B, nc, w, h = x.shape
            x = self.patch_embed(x).flatten(2).transpose(1, 2)
            x = torch.cat((self.cls_token.expand(x.shape[0], -1, -1), x), dim=1)
            x = x + self.interpolate_pos_encoding(x, w, h)
            x = torch.cat((x[:, :1], self.register_tokens.expand(x.shape[0], -1, -1), x[:, 1:]), dim=1)
            return self.norm(self.blocks(x))[:, 0]

    torch.manual_seed(ex.RANDOM_INIT_SEED)
    return DinoV2StyleViT().eval()


def dinov2_workaround(report: dict) -> None:
    import io

    import torch

    entry = {"id": "dinov2-style", "input": {"name": "pixel_values", "layout": "NCHW", "dtype": "float32",
                                             "image_size": [224, 224], "dynamic_batch": True},
             "output": {"name": "embedding", "dim": 32},
             "preprocessing": {"resize_mode": "shortest", "interpolation": "bicubic",
                               "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}}
    model = dinov2_style_vit()
    x = ex.photo_batch(entry, [ex.REPO_ROOT / "data" / "photos" / p for p in PHOTOS])
    with torch.no_grad():
        interpolating = model(x)
    try:
        torch.onnx.export(model, (x[:1],), io.BytesIO(), opset_version=17)
        failure = None
    except Exception as e:  # the exporter's message names the unsupported operator
        failure = f"{type(e).__name__}: {str(e).splitlines()[0]}"
    ex.freeze_position_embedding(model, 224, 224)
    with torch.no_grad():
        frozen = model(x)
    max_abs, min_cos = ex.compare(interpolating.numpy(), frozen.numpy())
    print(f"dinov2-style: export with interpolation: {failure or 'succeeded'}")
    print(f"dinov2-style: frozen vs interpolating position embedding on {len(PHOTOS)} photos: "
          f"max abs diff {max_abs:.3e}, lowest cosine {min_cos:.8f}")
    path = ex.export_module(ex.wrap(model), entry, OUT / "variants" / "dinov2-style.onnx")
    report["dinov2-style"] = {**crops_and_embeddings(ex.wrap(model), entry, "bicubic"),
                              "export_with_interpolation": failure, "frozen_max_abs_diff": max_abs,
                              "frozen_min_cosine": min_cos, "file": str(path.relative_to(OUT))}


def main() -> int:
    import torch

    torch.set_num_threads(1)  # the same numbers on every machine
    registry = ex.load_registry(REGISTRY)
    report: dict = {"photos": PHOTOS, "torch": torch.__version__, "encoders": {}}
    for encoder_id in ENTRIES:
        entry = ex.find_encoder(registry, encoder_id)
        path, model = ex.export(entry, OUT / "models", 17, force=True, external_data=encoder_id.endswith("-external"))
        digest = ex.sha256_of_model(path)
        write_sha256(encoder_id, digest)
        report["encoders"][encoder_id] = {**crops_and_embeddings(model, entry, entry["preprocessing"]["interpolation"]),
                                          "sha256": digest}
        print(f"{encoder_id}: {path.relative_to(ex.REPO_ROOT)} sha256 {digest}")

    # The same ResNet, fed NHWC float32 and NCHW float16: the harness converts its tensor at the feed.
    resnet = ex.find_encoder(registry, "export-check/resnet")
    _, model = ex.export(resnet, OUT / "models", 17, force=True)
    for name, layout, dtype in [("resnet-nhwc", "NHWC", "float32"), ("resnet-float16", "NCHW", "float16")]:
        variant = json.loads(json.dumps(resnet))
        variant["input"].update(layout=layout, dtype=dtype)
        ex.export_module(model, variant, OUT / "variants" / f"{name}.onnx")
        report[name] = {"layout": layout, "dtype": dtype, **crops_and_embeddings(model, variant, "bilinear")}

    # A graph whose batch axis is fixed at 2: the harness runs it as written, padding a short last batch.
    fixed = json.loads(json.dumps(resnet))
    fixed["input"]["dynamic_batch"] = False
    ex.export_module(model, fixed, OUT / "variants" / "resnet-batch2.onnx", fixed_batch=2)

    dinov2_workaround(report)
    (OUT / "reference.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {(OUT / 'reference.json').relative_to(ex.REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
