#!/usr/bin/env python3
"""Export a registered encoder to ONNX for TraceProbe.

    python3 tools/export_onnx.py --encoder ID --models DIR [--registry encoders.json] [--opset 17]
    python3 tools/export_onnx.py --list [--models DIR]

    python3 tools/export_onnx.py --encoder ID --models DIR --check [PHOTO ...]

Reads the encoder's entry in encoders.json, builds the model with the library the entry names
(timm, open_clip, OpenAI's clip, torch.hub, torchvision; MoCo v3 from Meta's published checkpoints,
`checkpoint`), wraps it so that the graph has one input `pixel_values` (already resized, cropped and
normalised as the entry's `preprocessing` says, in the entry's `input.layout` and `input.dtype`) and one
output `embedding` (the embedding the paper uses, float32), exports it to DIR/<model.file> with a symbolic
batch axis when `input.dynamic_batch` is true (else batch 1), checks the embedding length against the
entry, and prints the model's sha256 with the JSON to paste into the entry.

Weights over ONNX's 2 GB limit go to one external-data file, DIR/<model.file>.data; the sha256 then
covers the model file followed by its external data (`cat model.onnx model.onnx.data | sha256sum`),
as the harness checks it.

DINOv2 (with registers) is built at 518 px and interpolates its position embedding with antialiased
bicubic when run at 224 px; the exporter has no such op, so the embedding for the entry's image size is
computed once in PyTorch and stored in the graph (identical numbers; see tools/make_export_fixtures.py).
xformers is disabled (XFORMERS_DISABLED) so that DINOv2's attention is plain PyTorch.

OpenAI's CLIP ran in float16 on the paper's GPUs (clip.load keeps fp16 weights on CUDA); the export loads
it on the CPU, where clip.load converts the weights to float32. Embeddings of the fp32 graph differ
slightly from the paper's fp16 ones (cosine about 0.999 or more); probe results are not affected beyond noise.

--check runs the exported graph with onnxruntime and the PyTorch model on real photos (default: the
repository's data/photos), both fed by one plain torchvision transform built from the entry, and prints the
largest absolute difference and the lowest cosine similarity of the embeddings.

Needs internet access and: torch, torchvision, onnx, plus the entry's library (timm, open_clip_torch, or
git+https://github.com/openai/CLIP); onnxruntime and Pillow for --check. --help and --list need only the
Python standard library.
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
LIBRARIES = ("timm", "open_clip", "openai-clip", "torch.hub", "checkpoint", "torchvision")

# MoCo v3 is not on torch.hub: its README publishes checkpoints, whose url the entry's `source.pretrained`
# holds (library `checkpoint`). The architectures are those of the MoCo v3 code (vits.py): ViTs with patch 16,
# depth 12 and 12 heads (also for ViT-S), and torchvision's ResNet-50.
MOCO_V3_VIT_WIDTH = {"mocov3_vit_small": 384, "mocov3_vit_base": 768}

# Seed of the random-init models (`source.pretrained: "random"`) that check the export path offline.
RANDOM_INIT_SEED = 0


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
            where = f"{pretrained} {name}"
        elif src["library"] == "checkpoint":
            where = f"{name} from {pretrained}"
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
    elif library == "checkpoint":
        model = build_moco_v3(name, pretrained)
    elif library == "torch.hub":
        model = build_torch_hub(name, pretrained, entry)
    elif library == "torchvision":
        model = build_torchvision(name, pretrained)
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


def build_torch_hub(name: str, repo: str, entry: dict):
    import torch

    # DINOv2 reads XFORMERS_DISABLED when its modules are imported: set before the hub imports them, its
    # attention is plain PyTorch, which exports (xformers' kernels do not).
    os.environ["XFORMERS_DISABLED"] = "1"
    # name is the hub entry point, repo the hub repository (owner/repo[:ref]).
    model = torch.hub.load(repo, name)
    if hasattr(model, "interpolate_pos_encoding"):
        h, w = entry["input"]["image_size"]
        freeze_position_embedding(model, h, w)
    return wrap(model)


def freeze_position_embedding(model, height: int, width: int):
    """
    DINO/DINOv2 ViTs resize their position embedding to the input in forward
    (interpolate_pos_encoding(x, w, h), with w the height and h the width as prepare_tokens_with_masks
    passes them). DINOv2 with registers interpolates with antialiased bicubic, which the ONNX exporter does
    not support. The harness feeds one image size, so the resized embedding is computed once here, in
    PyTorch, and stored as a buffer that forward returns: the same numbers, and no interpolation in the graph.
    """
    import types

    import torch

    # DINOv2 keeps patch_size on the model, DINO on its patch_embed (an int in both).
    patch = getattr(model, "patch_size", None) or model.patch_embed.patch_size
    patch = patch if isinstance(patch, int) else patch[0]
    tokens = 1 + (height // patch) * (width // patch)
    dim = model.pos_embed.shape[-1]
    with torch.no_grad():
        fixed = model.interpolate_pos_encoding(torch.zeros(1, tokens, dim, dtype=model.pos_embed.dtype), height, width)
    model.register_buffer("pos_embed_fixed", fixed.detach().clone(), persistent=False)
    original = model.interpolate_pos_encoding

    def interpolate_pos_encoding(self, x, w, h):
        if (w, h) != (height, width) or x.shape[1] != tokens:
            return original(x, w, h)
        return self.pos_embed_fixed.to(x.dtype)

    model.interpolate_pos_encoding = types.MethodType(interpolate_pos_encoding, model)
    return model


def build_torchvision(name: str, pretrained: str | None):
    """A torchvision architecture without its classifier: torchvision's weights by name, or "random" (seeded)."""
    import torch
    import torchvision

    torch.manual_seed(RANDOM_INIT_SEED)
    if name in SMALL_TORCHVISION:
        if pretrained not in (None, "random"):
            sys.exit(f"error: '{name}' is a small configuration for checking the export; it has no weights '{pretrained}'")
        net = SMALL_TORCHVISION[name]()
    else:
        weights = None if pretrained in (None, "random") else pretrained
        net = torchvision.models.get_model(name, weights=weights)
    return wrap(strip_classifier(net))


def strip_classifier(net):
    """The features before torchvision's classifier: pooled (ResNet, ConvNeXt) or the class token (ViT)."""
    import torch

    if hasattr(net, "fc"):
        net.fc = torch.nn.Identity()
    elif hasattr(net, "heads"):
        net.heads = torch.nn.Identity()
    elif type(net).__name__ == "ConvNeXt":
        net.classifier[-1] = torch.nn.Identity()  # keeps the final LayerNorm2d and Flatten
    else:
        sys.exit(f"error: no rule to drop the classifier of torchvision's {type(net).__name__}")
    return net


def _small_resnet():
    """torchvision's ResNet with BasicBlocks [1, 1, 1, 1] at widths 8-16-32-64 (a 64-d embedding, 0.3 MB)."""
    import torch
    from torchvision.models.resnet import BasicBlock, ResNet

    net = ResNet(BasicBlock, [1, 1, 1, 1])
    net.inplanes = 8
    net.conv1 = torch.nn.Conv2d(3, 8, kernel_size=7, stride=2, padding=3, bias=False)
    net.bn1 = torch.nn.BatchNorm2d(8)
    net.layer1 = net._make_layer(BasicBlock, 8, 1)
    net.layer2 = net._make_layer(BasicBlock, 16, 1, stride=2)
    net.layer3 = net._make_layer(BasicBlock, 32, 1, stride=2)
    net.layer4 = net._make_layer(BasicBlock, 64, 1, stride=2)
    _random_batch_norm_statistics(net)
    return net


def _small_vit():
    """torchvision's VisionTransformer with a class token: 224 px, patch 16, 2 layers, 2 heads, width 64."""
    from torchvision.models.vision_transformer import VisionTransformer

    return VisionTransformer(image_size=224, patch_size=16, num_layers=2, num_heads=2, hidden_dim=64, mlp_dim=128)


def _small_convnext():
    """torchvision's ConvNeXt with three stages of one block, widths 16-32-64."""
    from torchvision.models.convnext import CNBlockConfig, ConvNeXt

    net = ConvNeXt([CNBlockConfig(16, 32, 1), CNBlockConfig(32, 64, 1), CNBlockConfig(64, None, 1)], layer_scale=0.5)
    return net


def _random_batch_norm_statistics(net):
    """Random running statistics and affine terms, so that the graph's folded BatchNorms do real work."""
    import torch

    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 2.0)
            torch.nn.init.uniform_(m.weight, 0.5, 1.5)
            torch.nn.init.uniform_(m.bias, -0.2, 0.2)


# Small configurations of torchvision's classes, for checking the export path without weights.
SMALL_TORCHVISION = {"small_resnet": _small_resnet, "small_vit": _small_vit, "small_convnext": _small_convnext}


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

def export(entry: dict, models: Path, opset: int, force: bool, external_data: bool = False) -> tuple[Path, object]:
    """Builds the entry's model and exports it to models/<model.file>; returns the path and the PyTorch model."""
    target = models / entry["model"]["file"]
    if target.exists() and not force:
        sys.exit(f"error: {target} exists; pass --force to overwrite it")
    model = build(entry)
    return export_module(model, entry, target, opset, external_data), model


@functools.lru_cache(maxsize=None)
def _adapter_class():
    import torch

    class InputAdapter(torch.nn.Module):
        """Takes pixel_values in the entry's layout and dtype and gives the model float32 NCHW."""

        def __init__(self, model, layout: str, dtype: str):
            super().__init__()
            self.model = model
            self.layout = layout
            self.dtype = dtype

        def forward(self, pixel_values):
            x = pixel_values.permute(0, 3, 1, 2) if self.layout == "NHWC" else pixel_values
            return self.model(x.float())

    return InputAdapter


def example_input(entry: dict, batch: int, seed: int = 0):
    """A random batch in the layout and dtype the entry's graph takes."""
    import torch

    h, w = entry["input"]["image_size"]
    x = torch.randn(batch, 3, h, w, generator=torch.Generator().manual_seed(seed))
    return to_graph_input(x, entry)


def to_graph_input(nchw, entry: dict):
    """A float32 NCHW batch as the graph takes it (what the harness's encoder does at the feed)."""
    import torch

    x = nchw.permute(0, 2, 3, 1).contiguous() if entry["input"].get("layout", "NCHW") == "NHWC" else nchw
    return x.to(torch.float16) if entry["input"].get("dtype", "float32") == "float16" else x


def export_module(model, entry: dict, target: Path, opset: int = 17, external_data: bool = False, fixed_batch: int = 1) -> Path:
    """
    The one export path every library goes through: input adapted to the entry's layout and dtype, the
    TorchScript exporter with a symbolic batch axis (when dynamic_batch), weights over 2 GB (or all weights,
    with external_data) in one external-data file beside the model, the output size checked against the entry.
    Without dynamic_batch the graph's batch axis is fixed at fixed_batch.
    """
    import inspect

    import torch

    layout, dtype = entry["input"].get("layout", "NCHW"), entry["input"].get("dtype", "float32")
    if dtype not in ("float32", "float16") or layout not in ("NCHW", "NHWC"):
        sys.exit(f"error: encoder '{entry['id']}': the harness feeds NCHW or NHWC float32/float16, not {layout} {dtype}")
    dynamic = bool(entry["input"].get("dynamic_batch", False))
    module = _adapter_class()(model, layout, dtype).eval()
    example = example_input(entry, 2 if dynamic else fixed_batch)
    with torch.no_grad():
        reference = module(example)
    dim = entry["output"]["dim"]
    if reference.ndim != 2 or reference.shape[1] != dim:
        sys.exit(f"error: the model gives an output of shape {tuple(reference.shape)}, the entry says [batch, {dim}]; "
                 "fix output.dim or the recipe")

    target.parent.mkdir(parents=True, exist_ok=True)
    name_in, name_out = entry["input"]["name"], entry["output"]["name"]
    kwargs = dict(input_names=[name_in], output_names=[name_out], opset_version=opset, do_constant_folding=True)
    if dynamic:
        kwargs["dynamic_axes"] = {name_in: {0: "batch"}, name_out: {0: "batch"}}
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False  # the TorchScript exporter honours dynamic_axes the same way on every torch version
    # Written beside the target, then renamed, so that an interrupted export never looks installed.
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        staged = Path(tmp) / target.name
        # Traced with autograd on: under no_grad, torch's nn.MultiheadAttention and TransformerEncoderLayer
        # take a fused fast path (aten::_native_multi_head_attention) that has no ONNX export.
        torch.onnx.export(module, (example,), str(staged), **kwargs)
        produced = write_with_external_data(staged, Path(tmp) / "out", target.name, force=external_data)
        for old in external_data_files(target) if target.exists() else []:
            old.unlink()
        for path in produced:
            os.replace(path, target.parent / path.name)
    return target


def write_with_external_data(staged: Path, folder: Path, name: str, force: bool) -> list[Path]:
    """
    The model as <name>, its weights in <name>.data when it has external data (the exporter writes one file per
    tensor for models over 2 GB) or when forced; one file keeps the sha256 and the copying simple.
    """
    import onnx

    folder.mkdir()
    model = onnx.load(str(staged))  # loads any external data the exporter wrote beside it
    if not force and staged.stat().st_size < 2_000_000_000 and not _has_external_data(onnx.load(str(staged), load_external_data=False)):
        onnx.save_model(model, str(folder / name))
        return [folder / name]
    onnx.save_model(model, str(folder / name), save_as_external_data=True, all_tensors_to_one_file=True,
                    location=name + ".data", size_threshold=0 if force else 1024)
    return [folder / name, folder / (name + ".data")]


def _has_external_data(model) -> bool:
    from onnx.external_data_helper import uses_external_data

    return any(uses_external_data(t) for t in model.graph.initializer)


def external_data_files(path: Path) -> list[Path]:
    """The external-data files the graph's initializers name, sorted by name, each once (as the harness reads them)."""
    import onnx

    model = onnx.load(str(path), load_external_data=False)
    locations = {e.value for t in model.graph.initializer if t.data_location == onnx.TensorProto.EXTERNAL
                 for e in t.external_data if e.key == "location"}
    return [path.parent / loc for loc in sorted(locations)]


def sha256_of_model(path: Path) -> str:
    """sha256 over the model file followed by its external-data files: what encoders.json's model.sha256 holds."""
    digest = hashlib.sha256()
    for part in [path, *external_data_files(path)]:
        with open(part, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------
# --check: the exported graph against PyTorch on real photos
# ---------------------------------------------------------------------------------------------

def photo_transform(entry: dict):
    """
    A plain torchvision transform from the entry (resize the shorter side, or squash; centre crop;
    normalise), as the paper's code applies it to a PIL image. The reference-pipeline script of the harness's
    pixel tests builds the same; the two should share this code.
    """
    from torchvision import transforms as T
    from torchvision.transforms import InterpolationMode

    pre = entry["preprocessing"]
    if "mean" not in pre:
        sys.exit(f"error: encoder '{entry['id']}' normalises with a mean image; --check needs mean and std")
    h, w = entry["input"]["image_size"]
    crop_pct = pre.get("crop_pct") or 1.0
    interpolation = InterpolationMode(pre["interpolation"])
    if pre["resize_mode"] == "squash":
        resize = T.Resize((int(h / crop_pct), int(w / crop_pct)), interpolation=interpolation)
    else:
        resize = T.Resize(int(min(h, w) / crop_pct), interpolation=interpolation)
    return T.Compose([resize, T.CenterCrop((h, w)), T.ToTensor(), T.Normalize(pre["mean"], pre["std"])])


def photo_batch(entry: dict, photos: list[Path]):
    """Real photos, decoded by Pillow and transformed, as one float32 NCHW batch."""
    import torch
    from PIL import Image

    transform = photo_transform(entry)
    tensors = []
    for photo in photos:
        with Image.open(photo) as image:
            tensors.append(transform(image.convert("RGB")))
    return torch.stack(tensors)


def torch_embeddings(model, entry: dict, nchw):
    """What PyTorch gives for the batch, fed exactly as the exported graph is (layout and dtype)."""
    import torch

    module = _adapter_class()(model, entry["input"].get("layout", "NCHW"), entry["input"].get("dtype", "float32")).eval()
    with torch.no_grad():
        return module(to_graph_input(nchw, entry)).float()


def compare(expected, got) -> tuple[float, float]:
    """(largest absolute difference, lowest cosine similarity) between two [N, D] arrays."""
    import numpy as np

    expected, got = np.asarray(expected, dtype=np.float64), np.asarray(got, dtype=np.float64)
    cos = (expected * got).sum(1) / (np.linalg.norm(expected, axis=1) * np.linalg.norm(got, axis=1) + 1e-30)
    return float(np.abs(expected - got).max()), float(cos.min())


def check_on_photos(path: Path, model, entry: dict, photos: list[Path]) -> bool:
    try:
        import onnxruntime as ort
    except ImportError:
        print("error: --check needs onnxruntime (pip install onnxruntime) to run the exported graph", file=sys.stderr)
        return False
    nchw = photo_batch(entry, photos)
    expected = torch_embeddings(model, entry, nchw).numpy()
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    feed = to_graph_input(nchw, entry).numpy()
    batch = len(photos) if entry["input"].get("dynamic_batch", False) else 1
    rows = [session.run([entry["output"]["name"]], {entry["input"]["name"]: feed[i:i + batch]})[0]
            for i in range(0, len(photos), batch)]
    import numpy as np

    got = np.concatenate(rows).astype(np.float32)
    max_abs, min_cos = compare(expected, got)
    print(f"check: {len(photos)} photos, onnxruntime vs PyTorch: max abs diff {max_abs:.3e}, "
          f"lowest cosine {min_cos:.8f} (embedding scale {np.abs(expected).max():.3e})")
    return min_cos >= 0.99999


def default_photos() -> list[Path]:
    folder = REPO_ROOT / "data" / "photos"
    return sorted(p for p in folder.rglob("*.jpg"))[:8]  # photos sit in class sub-folders


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Export an encoder registered in encoders.json to ONNX (the entry's input and output names, "
                    "layout and dtype; symbolic batch axis when dynamic_batch) and print its sha256.",
        epilog="Example: python3 tools/export_onnx.py --encoder clip-vit-b16 --models models --check")
    parser.add_argument("--encoder", metavar="ID", help="registry id of the encoder (see --list)")
    parser.add_argument("--models", metavar="DIR", type=Path,
                        help="models folder; the file goes to DIR/<model.file> (the harness reads --models, "
                             "$TRACEPROBE_MODELS, or the models folder beside the program)")
    parser.add_argument("--registry", metavar="PATH", type=Path, default=REPO_ROOT / "encoders.json",
                        help="encoders.json to read (default: the repository's)")
    parser.add_argument("--opset", type=int, default=17, help="ONNX opset (default 17)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing model file")
    parser.add_argument("--external-data", action="store_true",
                        help="keep all weights in DIR/<model.file>.data even under 2 GB")
    parser.add_argument("--check", nargs="*", metavar="PHOTO", type=Path,
                        help="compare the exported graph with PyTorch on these photos (default: data/photos) "
                             "and print the largest difference and lowest cosine; needs onnxruntime")
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
        sys.exit("error: PyTorch is needed to export; pip install torch torchvision onnx (and the entry's library)")

    path, model = export(entry, args.models, args.opset, args.force, args.external_data)
    digest = sha256_of_model(path)
    print(f"wrote {path}" + "".join(f" + {p.name}" for p in external_data_files(path)))
    print(f"sha256 {digest}")
    print("paste into the entry's \"model\" in encoders.json:")
    print(json.dumps({"model": {"file": entry["model"]["file"], "sha256": digest}}, indent=2)[1:-1].strip())
    if args.check is not None and not check_on_photos(path, model, entry, args.check or default_photos()):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
