namespace TraceProbe.Generators.Tests;

/// <summary>
/// A small encoders.json covering each shape the generator handles: mean/std and mean-image
/// normalisation, an id that needs sanitising, a processing task with chains, an acquisition task with EXIF rules and one whose classes come from the data.
/// Its ids differ from the repository's so that the generated types do not shadow the harness's own.
/// </summary>
internal static class TestRegistry
{
    public const string Json = """
        {
          "$schema": "docs/encoders-schema.md",
          "encoders": [
            {
              "id": "openai/ViT-B-16@test",
              "family": "CVL",
              "display_name": "CLIP ViT-B/16 (OpenAI) <test>",
              "source": { "library": "openai-clip", "name": "ViT-B/16", "pretrained": "openai", "licence": "MIT" },
              "model": { "file": "clip-vit-b-16/model.onnx", "sha256": "0000000000000000000000000000000000000000000000000000000000000000", "url": "https://example.org/model.onnx" },
              "input": { "name": "pixel_values", "layout": "NCHW", "dtype": "float32", "image_size": [224, 224], "dynamic_batch": true },
              "output": { "name": "image_embeds", "embedding": "projected", "dim": 512 },
              "preprocessing": {
                "resize_mode": "shortest",
                "crop_pct": 1.0,
                "interpolation": "bicubic",
                "mean": [0.48145466, 0.4578275, 0.40821073],
                "std": [0.26862954, 0.26130258, 0.27577711],
                "channel_order": "RGB"
              },
              "l2_normalize": true
            },
            {
              "id": "resnet18-test",
              "family": "control",
              "display_name": "ResNet-18 \"test\"",
              "source": { "library": "nuget", "name": "Microsoft.ML.DnnImageFeaturizer.ResNet18", "pretrained": "0.23.1" },
              "model": {
                "file": "resnet18/ResNet18.onnx",
                "package": "Microsoft.ML.DnnImageFeaturizer.ResNet18",
                "package_path": "tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx"
              },
              "input": { "name": "Input247", "image_size": [224, 224] },
              "output": { "name": "Pooling395_Output_0", "embedding": "pooled", "dim": 512 },
              "preprocessing": { "resize_mode": "squash", "interpolation": "bilinear", "mean_image": "resnet18/ResNetPreprocess.onnx", "channel_order": "BGR" },
              "l2_normalize": false
            }
          ],
          "tasks": [
            {
              "id": "sharpen-test",
              "kind": "processing",
              "display_name": "Sharpening",
              "chance": 0.3333,
              "defaults": { "seeds": 10, "split": "80/20" },
              "classes": [
                { "id": "NONE", "ops": ["JPEG95_444"] },
                { "id": "SHARPEN_2", "ops": ["SHARPEN_2", "JPEG95_444"] },
                { "id": "SHARPEN_4", "ops": ["SHARPEN_4", "JPEG95_444"] }
              ]
            },
            {
              "id": "make-test",
              "kind": "acquisition",
              "display_name": "Camera make",
              "attribute": "make",
              "mask_ratio": 0.9,
              "classes": [
                { "id": "Canon", "exif": { "make": "Canon" } },
                { "id": "NIKON CORPORATION", "exif": { "make": "NIKON CORPORATION" } },
                { "id": "f/2.8", "exif": { "aperture": 2.8, "smartphone": false } }
              ]
            },
            {
              "id": "exposure-test",
              "kind": "acquisition",
              "display_name": "Exposure time",
              "attribute": "exposure",
              "chance": 0.2,
              "defaults": { "top_k": 5, "min_per_class": 100 }
            }
          ]
        }
        """;
}
