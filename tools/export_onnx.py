#!/usr/bin/env python3
"""Export a registered encoder to ONNX for TraceProbe.

    python3 tools/export_onnx.py --encoder ID --models DIR [--registry encoders.json] [--opset 17]
    python3 tools/export_onnx.py --list [--models DIR]

Reads the encoder's entry in encoders.json, builds the model with the library the entry names
(timm, open_clip, OpenAI's clip, or torch.hub; MoCo v3 from Meta's published checkpoints), wraps it so
that the graph has one input `pixel_values` (float32 NCHW, already resized, cropped and normalised as the
entry's `preprocessing` says) and one output `embedding` (the embedding the paper uses), exports it with a
symbolic batch axis to DIR/<model.file>, checks the embedding length against the entry, and prints the
file's sha256 with the JSON to paste into the entry.

Needs internet access and: torch, onnx, plus the entry's library (timm, open_clip_torch, or
git+https://github.com/openai/CLIP). onnxruntime, when installed, is used to check the exported graph
against PyTorch. --help and --list need only the Python standard library.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
LIBRARIES = ("timm", "open_clip", "openai-clip", "torch.hub")

# MoCo v3 is not on torch.hub: its README publishes checkpoints at dl.fbaipublicfiles.com, which the
# entry's `source.pretrained` holds. The architectures are those of the MoCo v3 code: ViTs with patch 16,
# depth 12 and 12 heads (also for ViT-S), and torchvision's ResNet-50.
MOCO_V3_VIT_WIDTH = {"mocov3_vit_small": 384, "mocov3_vit_base": 768}


def load_registry(path: Path) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        sys.exit(f"error: registry {path} not found; pass --registry PATH to the repository's encoders.json")
    except json.JSONDecodeError as e:
        sys.exit(f"error: {path}({e.lineno},{e.colno}): not valid JSON: {e.msg}")


def find_encoder(registry: dict, encoder_id: str) -> dict:
    for entry in registry.get("encoders", []):
        if entry["id"].lower() == encoder_id.lower():
            return entry
    known = ", ".join(e["id"] for e in registry.get("encoders", []))
    sys.exit(f"error: no encoder '{encoder_id}' in the registry. Known: {known}")


def list_encoders(registry: dict, models: Path | None) -> None:
    rows = [("id", "family", "library", "input", "dim", "installed" if models is not None else "", "source")]
    for e in registry.get("encoders", []):
        src = e["source"]
        name, pretrained = src["name"], src.get("pretrained")
        if src["library"] == "torch.hub":
            where = name if name.startswith("mocov3_") else f"{pretrained} {name}"
        else:
            where = name + (f" ({pretrained})" if pretrained and not name.endswith("." + pretrained) else "")
        h, w = e["input"]["image_size"]
        installed = ""
        if models is not None:
            installed = "yes" if (models / e["model"]["file"]).is_file() else "no"
        rows.append((e["id"], e["family"], src["library"], f"{h}x{w}", str(e["output"]["dim"]), installed, where))
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    for r in rows:
        print("  ".join(c.ljust(widths[i]) for i, c in enumerate(r[:6])).rstrip() + "  " + r[6])


# ---------------------------------------------------------------------------------------------
# Building the models. Each builder returns a torch module whose forward(pixel_values) is the
# embedding the paper uses. torch and the libraries are imported here, not at the top, so that
# --help and --list work without them.
# ---------------------------------------------------------------------------------------------

def build(entry: dict):
    import torch

    src = entry["source"]
    library, name, pretrained = src["library"], src["name"], src.get("pretrained")
    if library == "openai-clip":
        model = build_openai_clip(name)
    elif library == "open_clip":
        model = build_open_clip(name, pretrained, entry)
    elif library == "timm":
        model = build_timm(name, entry)
    elif library == "torch.hub" and name.startswith("mocov3_"):
        model = build_moco_v3(name, pretrained)
    elif library == "torch.hub":
        # name is the hub entry point, pretrained the hub repository (owner/repo[:ref]).
        model = wrap(torch.hub.load(pretrained, name))
    else:
        sys.exit(f"error: encoder '{entry['id']}': library '{library}' has no export recipe here "
                 f"(supported: {', '.join(LIBRARIES)}); export it yourself with input 'pixel_values' and output 'embedding'")
    return model.eval().float()


@functools.lru_cache(maxsize=None)
def _wrapper_class():
    import torch

    class Embedding(torch.nn.Module):
        """forward(pixel_values) -> embedding: model.encode_image for CLIP-like models, else model(x)."""

        def __init__(self, model, method: str | None):
            super().__init__()
            self.model = model
            self.method = method

        def forward(self, pixel_values):
            out = getattr(self.model, self.method)(pixel_values) if self.method else self.model(pixel_values)
            return out.float()

    return Embedding


def wrap(model, method: str | None = None):
    """The model as a module with the single output the harness reads."""
    return _wrapper_class()(model, method)


def build_openai_clip(name: str):
    import clip  # pip install git+https://github.com/openai/CLIP

    # jit=False gives the eager model, which exports; on CPU clip.load returns float32 weights.
    model, _ = clip.load(name, device="cpu", jit=False)
    return wrap(model, "encode_image")


def build_open_clip(name: str, pretrained: str, entry: dict):
    import open_clip

    model, _, preprocess = open_clip.create_model_and_transforms(name, pretrained=pretrained, device="cpu")
    check_normalisation(entry, _normalize_of(preprocess), "open_clip's transform")
    return wrap(model, "encode_image")


def build_timm(name: str, entry: dict):
    import timm
    from timm.data import resolve_data_config

    # num_classes=0 drops the classifier: the output is timm's pooled features (CLS token after the
    # final norm for ViTs, the attention pool for SigLIP, global average pool for CNNs), as the paper uses.
    model = timm.create_model(name, pretrained=True, num_classes=0)
    config = resolve_data_config({}, model=model)
    check_normalisation(entry, (tuple(config["mean"]), tuple(config["std"])), "timm's data config")
    want = entry["preprocessing"]["interpolation"]
    if config.get("interpolation") and config["interpolation"] != want:
        print(f"warning: timm interpolates with '{config['interpolation']}', the entry says '{want}'", file=sys.stderr)
    return wrap(model)


def build_moco_v3(name: str, url: str):
    from functools import partial

    import torch

    if name in MOCO_V3_VIT_WIDTH:
        from timm.models.vision_transformer import VisionTransformer

        net = VisionTransformer(
            patch_size=16, embed_dim=MOCO_V3_VIT_WIDTH[name], depth=12, num_heads=12, mlp_ratio=4,
            qkv_bias=True, norm_layer=partial(torch.nn.LayerNorm, eps=1e-6), num_classes=0)
        head = "head."
    elif name == "mocov3_resnet50":
        import torchvision

        net = torchvision.models.resnet50()
        net.fc = torch.nn.Identity()
        head = "fc."
    else:
        sys.exit(f"error: unknown MoCo v3 model '{name}' (known: {', '.join([*MOCO_V3_VIT_WIDTH, 'mocov3_resnet50'])})")

    # The checkpoint holds the whole training state; the backbone is the momentum-free base encoder,
    # without its projection head (which the paper does not use).
    state = torch.hub.load_state_dict_from_url(url, map_location="cpu")["state_dict"]
    prefix = "module.base_encoder."
    backbone = {k[len(prefix):]: v for k, v in state.items()
                if k.startswith(prefix) and not k[len(prefix):].startswith(head)}
    net.load_state_dict(backbone, strict=True)
    return wrap(net)


def _normalize_of(transform):
    for t in getattr(transform, "transforms", []):
        if type(t).__name__ == "Normalize":
            return tuple(float(x) for x in t.mean), tuple(float(x) for x in t.std)
    return None


def check_normalisation(entry: dict, found, where: str) -> None:
    """Warn when the library normalises differently from the entry: the harness follows the entry."""
    if found is None:
        return
    pre = entry["preprocessing"]
    want = (tuple(pre.get("mean", ())), tuple(pre.get("std", ())))
    if any(abs(a - b) > 1e-6 for a, b in zip(want[0] + want[1], found[0] + found[1])):
        print(f"warning: {where} normalises with mean {found[0]} std {found[1]}, the entry says mean {want[0]} std {want[1]}; "
              "fix the entry if the library is right", file=sys.stderr)


# ---------------------------------------------------------------------------------------------
# Export and checks
# ---------------------------------------------------------------------------------------------

def export(entry: dict, models: Path, opset: int, force: bool) -> Path:
    import inspect

    import torch

    target = models / entry["model"]["file"]
    if target.exists() and not force:
        sys.exit(f"error: {target} exists; pass --force to overwrite it")
    if entry["input"].get("layout", "NCHW") != "NCHW" or entry["input"].get("dtype", "float32") != "float32":
        sys.exit("error: the export writes float32 NCHW input; the entry asks for something else")

    model = build(entry)
    h, w = entry["input"]["image_size"]
    example = torch.randn(2, 3, h, w)
    with torch.no_grad():
        reference = model(example)
    dim = entry["output"]["dim"]
    if reference.ndim != 2 or reference.shape[1] != dim:
        sys.exit(f"error: the model gives an output of shape {tuple(reference.shape)}, the entry says [batch, {dim}]; "
                 "fix output.dim or the recipe")

    target.parent.mkdir(parents=True, exist_ok=True)
    kwargs = dict(
        input_names=["pixel_values"], output_names=["embedding"], opset_version=opset, do_constant_folding=True,
        dynamic_axes={"pixel_values": {0: "batch"}, "embedding": {0: "batch"}})
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False  # the TorchScript exporter honours dynamic_axes the same way on every torch version
    # Written beside the target, then renamed, so that an interrupted export never looks installed.
    # Models over 2 GB keep their weights in external data files in the same folder.
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        staged = Path(tmp) / target.name
        with torch.no_grad():
            torch.onnx.export(model, (example,), str(staged), **kwargs)
        for produced in Path(tmp).iterdir():
            os.replace(produced, target.parent / produced.name)
    check_with_onnxruntime(target, model, h, w)
    return target


def check_with_onnxruntime(path: Path, model, h: int, w: int) -> None:
    try:
        import numpy as np
        import onnxruntime as ort
        import torch
    except ImportError:
        print("note: onnxruntime not installed; the exported graph was not checked against PyTorch", file=sys.stderr)
        return
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = torch.randn(3, 3, h, w)  # a batch size other than the traced one proves the batch axis is symbolic
    with torch.no_grad():
        expected = model(x).numpy()
    got = session.run(["embedding"], {"pixel_values": x.numpy()})[0]
    err = float(np.max(np.abs(got - expected)) / (np.max(np.abs(expected)) + 1e-12))
    print(f"checked: onnxruntime agrees with PyTorch on a batch of 3 (max relative difference {err:.2e})")
    if err > 1e-3:
        print("warning: the difference is larger than expected for float32; inspect the export", file=sys.stderr)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Export an encoder registered in encoders.json to ONNX (input 'pixel_values', output 'embedding', "
                    "symbolic batch axis) and print its sha256.",
        epilog="Example: python3 tools/export_onnx.py --encoder clip-vit-b16 --models models")
    parser.add_argument("--encoder", metavar="ID", help="registry id of the encoder (see --list)")
    parser.add_argument("--models", metavar="DIR", type=Path,
                        help="models folder; the file goes to DIR/<model.file> (the harness reads --models, "
                             "$TRACEPROBE_MODELS, or the models folder beside the program)")
    parser.add_argument("--registry", metavar="PATH", type=Path, default=REPO_ROOT / "encoders.json",
                        help="encoders.json to read (default: the repository's)")
    parser.add_argument("--opset", type=int, default=17, help="ONNX opset (default 17)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing model file")
    parser.add_argument("--list", action="store_true", help="list the registered encoders and exit")
    args = parser.parse_args(argv)

    registry = load_registry(args.registry)
    if args.list:
        try:
            list_encoders(registry, args.models)
        except BrokenPipeError:  # e.g. piped into head
            sys.stderr.close()
        return 0
    if not args.encoder or args.models is None:
        parser.error("--encoder and --models are required (or --list)")

    entry = find_encoder(registry, args.encoder)
    if entry["source"]["library"] == "nuget":
        sys.exit(f"error: '{entry['id']}' ships in the NuGet package {entry['model'].get('package')}; "
                 "building the harness copies it into the models folder")
    try:
        import torch  # noqa: F401
    except ImportError:
        sys.exit("error: PyTorch is needed to export; pip install torch onnx (and the entry's library)")

    path = export(entry, args.models, args.opset, args.force)
    digest = sha256_of(path)
    print(f"wrote {path}")
    print(f"sha256 {digest}")
    print("paste into the entry's \"model\" in encoders.json:")
    print(json.dumps({"model": {"file": entry["model"]["file"], "sha256": digest}}, indent=2)[1:-1].strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
