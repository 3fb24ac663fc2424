#!/usr/bin/env python3
"""The calls export_onnx.py makes into libraries that cannot be installed here, checked against their sources.

    TRACEPROBE_LIBRARY_SOURCES=DIR /usr/bin/python3 -m unittest tools/test_library_calls.py -v

DIR holds one checkout per repository, named owner+name: openai+CLIP, mlfoundations+open_clip,
huggingface+pytorch-image-models, facebookresearch+dinov2, facebookresearch+dino, facebookresearch+moco-v3.
The sources are read, never imported (they need torch and more): function signatures and registries are
found with Python's ast, and every registered encoder's name, tag and checkpoint is looked up in them.
Skipped, with the reason, without DIR or without one of the checkouts.
"""

from __future__ import annotations

import ast
import json
import os
import unittest
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCES = Path(os.environ["TRACEPROBE_LIBRARY_SOURCES"]) if os.environ.get("TRACEPROBE_LIBRARY_SOURCES") else None
REGISTRY = json.loads((REPO_ROOT / "encoders.json").read_text(encoding="utf-8"))


def entries(library: str) -> list[dict]:
    return [e for e in REGISTRY["encoders"] if e["source"]["library"] == library]


def source(repo: str, path: str) -> str:
    if SOURCES is None:
        raise unittest.SkipTest("set TRACEPROBE_LIBRARY_SOURCES to a folder of the libraries' checkouts")
    file = SOURCES / repo / path
    if not file.is_file():
        raise unittest.SkipTest(f"{repo}/{path} is not in {SOURCES}")
    return file.read_text(encoding="utf-8")


def functions(text: str) -> dict[str, ast.FunctionDef]:
    """Every function and method by name (the last definition wins, as Python's would for a module)."""
    return {n.name: n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.FunctionDef)}


def parameters(function: ast.FunctionDef) -> list[str]:
    a = function.args
    return [p.arg for p in a.posonlyargs + a.args + a.kwonlyargs] + ([a.kwarg.arg] if a.kwarg else [])


def call_keywords(function: ast.FunctionDef, callee: str) -> dict[str, object]:
    """The literal keyword arguments of the first call to `callee` inside `function`."""
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == callee:
            return {k.arg: ast.literal_eval(k.value) for k in node.keywords
                    if k.arg and isinstance(k.value, ast.Constant)}
    raise AssertionError(f"{function.name} does not call {callee}")


class OpenAIClip(unittest.TestCase):
    def test_load_is_called_as_the_library_defines_it_and_gives_float32_on_the_cpu(self):
        text = source("openai+CLIP", "clip/clip.py")
        load = functions(text)["load"]
        self.assertEqual(["name", "device", "jit", "download_root"], parameters(load))  # clip.load(name, device="cpu", jit=False)
        # On the CPU the weights are converted to float32 (the fp16/fp32 note of the export tool).
        self.assertIn('if str(device) == "cpu":', ast.get_source_segment(text, load))
        self.assertIn("model.float()", ast.get_source_segment(text, load))
        self.assertIn("encode_image", functions(source("openai+CLIP", "clip/model.py")))

    def test_every_openai_clip_entry_names_a_published_model(self):
        text = source("openai+CLIP", "clip/clip.py")
        models = next(n.value for n in ast.walk(ast.parse(text))
                      if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "_MODELS")
        names = {k.value for k in models.keys}
        for e in entries("openai-clip"):
            self.assertIn(e["source"]["name"], names, e["id"])


class OpenClip(unittest.TestCase):
    def test_create_model_and_transforms_takes_the_arguments_given_and_returns_three_values(self):
        text = source("mlfoundations+open_clip", "src/open_clip/factory.py")
        create = functions(text)["create_model_and_transforms"]
        self.assertEqual(["model_name", "pretrained"], parameters(create)[:2])
        self.assertIn("device", parameters(create))
        self.assertIn("return model, preprocess_train, preprocess_val", ast.get_source_segment(text, create))
        self.assertIn("encode_image", functions(source("mlfoundations+open_clip", "src/open_clip/model.py")))

    def test_every_open_clip_entry_names_a_config_and_a_pretrained_tag_with_its_dim(self):
        tree = ast.parse(source("mlfoundations+open_clip", "src/open_clip/pretrained.py"))
        tags = {n.targets[0].id: {k.arg for k in n.value.keywords} for n in tree.body
                if isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Name) and isinstance(n.value, ast.Call)
                and getattr(n.value.func, "id", "") == "dict"}
        pretrained = next(n.value for n in tree.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "_PRETRAINED")
        by_model = {k.value: tags.get(getattr(v, "id", ""), set()) for k, v in zip(pretrained.keys, pretrained.values)}
        for e in entries("open_clip"):
            name, tag = e["source"]["name"], e["source"]["pretrained"]
            self.assertIn(tag, by_model.get(name, set()), e["id"])
            config = json.loads(source("mlfoundations+open_clip", f"src/open_clip/model_configs/{name}.json"))
            self.assertEqual(e["output"]["dim"], config["embed_dim"], e["id"])


class Timm(unittest.TestCase):
    def test_create_model_and_resolve_data_config_take_the_arguments_given(self):
        create = functions(source("huggingface+pytorch-image-models", "timm/models/_factory.py"))["create_model"]
        self.assertEqual(["model_name", "pretrained"], parameters(create)[:2])
        self.assertIn("kwargs", parameters(create))  # num_classes=0 goes to the model
        resolve = functions(source("huggingface+pytorch-image-models", "timm/data/config.py"))["resolve_data_config"]
        self.assertEqual(["args", "pretrained_cfg", "model"], parameters(resolve)[:3])  # resolve_data_config({}, model=model)

    def test_every_timm_entry_names_a_registered_model_with_that_pretrained_tag(self):
        for e in entries("timm"):
            arch, tag = e["source"]["name"].split(".", 1)
            module = {"vit": "vision_transformer", "res": "resnet", "con": "convnext"}[arch[:3]]
            text = source("huggingface+pytorch-image-models", f"timm/models/{module}.py")
            self.assertIn(arch, functions(text), e["id"])
            self.assertIn(f"'{arch}.{tag}'", text, e["id"])
            self.assertEqual(e["source"]["pretrained"], tag, e["id"])

    def test_moco_v3_vits_are_timm_vision_transformers_with_the_arguments_given(self):
        init = functions(source("huggingface+pytorch-image-models", "timm/models/vision_transformer.py"))["__init__"]
        for name in ("patch_size", "embed_dim", "depth", "num_heads", "mlp_ratio", "qkv_bias", "norm_layer", "num_classes"):
            self.assertIn(name, parameters(init))


class MocoV3(unittest.TestCase):
    def test_the_architectures_and_the_checkpoint_layout_are_the_repositorys(self):
        sys_path_tools = str(REPO_ROOT / "tools")
        import sys

        sys.path.insert(0, sys_path_tools)
        import export_onnx as ex

        vits = functions(source("facebookresearch+moco-v3", "vits.py"))
        for name, width in (("vit_small", 384), ("vit_base", 768)):
            args = call_keywords(vits[name], "VisionTransformerMoCo")
            self.assertEqual({"patch_size": 16, "embed_dim": width, "depth": 12, "num_heads": 12, "mlp_ratio": 4, "qkv_bias": True},
                             {k: args[k] for k in ("patch_size", "embed_dim", "depth", "num_heads", "mlp_ratio", "qkv_bias")})
            self.assertEqual(width, ex.MOCO_V3_VIT_WIDTH["mocov3_" + name])
        lincls = source("facebookresearch+moco-v3", "main_lincls.py")
        self.assertIn("k.startswith('module.base_encoder')", lincls)
        self.assertIn("state_dict = checkpoint['state_dict']", lincls)

    def test_every_moco_v3_entry_is_a_published_checkpoint_not_a_hub_entry(self):
        config = source("facebookresearch+moco-v3", "CONFIG.md")
        self.assertFalse(os.path.exists(SOURCES / "facebookresearch+moco-v3" / "hubconf.py"))
        for e in REGISTRY["encoders"]:
            if e["id"].startswith("mocov3"):
                self.assertEqual("checkpoint", e["source"]["library"], e["id"])
                self.assertIn(e["source"]["pretrained"], config, e["id"])


class Dinov2(unittest.TestCase):
    def test_the_registers_models_interpolate_with_antialiasing_as_the_workaround_assumes(self):
        backbones = functions(source("facebookresearch+dinov2", "dinov2/hub/backbones.py"))
        hubconf = source("facebookresearch+dinov2", "hubconf.py")
        for e in entries("torch.hub"):
            if e["source"]["pretrained"] != "facebookresearch/dinov2":
                continue
            name = e["source"]["name"]
            self.assertIn(name, hubconf, e["id"])
            args = call_keywords(backbones[name], "_make_dinov2_model")
            self.assertEqual((4, True, 0.0), (args["num_register_tokens"], args["interpolate_antialias"], args["interpolate_offset"]), e["id"])

    def test_the_position_embedding_hook_and_xformers_switch_are_where_the_tool_uses_them(self):
        text = source("facebookresearch+dinov2", "dinov2/models/vision_transformer.py")
        f = functions(text)
        self.assertEqual(["self", "x", "w", "h"], parameters(f["interpolate_pos_encoding"]))
        prepare = ast.get_source_segment(text, f["prepare_tokens_with_masks"])
        self.assertIn("B, nc, w, h = x.shape", prepare)
        self.assertIn("x = x + self.interpolate_pos_encoding(x, w, h)", prepare)
        self.assertIn("self.patch_size = patch_size", text)
        for layer in ("attention.py", "block.py"):
            self.assertIn('os.environ.get("XFORMERS_DISABLED")', source("facebookresearch+dinov2", f"dinov2/layers/{layer}"))


class Dino(unittest.TestCase):
    def test_hub_entries_and_position_embedding_hook(self):
        hub = functions(source("facebookresearch+dino", "hubconf.py"))
        for e in entries("torch.hub"):
            if e["source"]["pretrained"].startswith("facebookresearch/dino:"):
                self.assertIn(e["source"]["name"], hub, e["id"])
        text = source("facebookresearch+dino", "vision_transformer.py")
        self.assertEqual(["self", "x", "w", "h"], parameters(functions(text)["interpolate_pos_encoding"]))
        self.assertIn("self.patch_size = patch_size", text)  # on PatchEmbed, where the tool looks second


if __name__ == "__main__":
    unittest.main()
