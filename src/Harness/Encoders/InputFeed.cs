using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace TraceProbe.Encoders;

/// <summary>
/// Turns the planar float32 tensors that the encoder-input stage builds (NCHW, normalised) into what the graph
/// takes: transposed to NHWC and/or converted to float16 at the feed, so every stage before it stays one shape.
/// </summary>
public static class InputFeed
{
    /// <summary>The input shape for <paramref name="count"/> images of 3 channels.</summary>
    public static long[] Shape(InputLayout layout, int count, int height, int width) => layout == InputLayout.NHWC
        ? [count, height, width, 3]
        : [count, 3, height, width];

    /// <summary>
    /// An ONNX Runtime value holding <paramref name="count"/> planar images from <paramref name="planar"/> in the
    /// graph's layout and type. The value owns a copy: the caller may reuse its buffer at once.
    /// </summary>
    public static OrtValue Create(ReadOnlySpan<float> planar, int count, int height, int width, InputLayout layout, InputDType dtype)
    {
        var n = count * 3 * height * width;
        var values = new float[n];
        if (layout == InputLayout.NHWC) ToInterleaved(planar[..n], values, count, height * width);
        else planar[..n].CopyTo(values);
        var shape = Shape(layout, count, height, width);
        if (dtype == InputDType.Float32) return OrtValue.CreateTensorValueFromMemory(values, shape);
        var halves = new Float16[n];
        // Float16 is IEEE binary16, the same bits as System.Half, so the vectorised conversion writes it directly.
        TensorPrimitives.ConvertToHalf(values, MemoryMarshal.Cast<Float16, Half>(halves.AsSpan()));
        return OrtValue.CreateTensorValueFromMemory(halves, shape);
    }

    /// <summary>[N,3,P] planes to [N,P,3] pixels.</summary>
    public static void ToInterleaved(ReadOnlySpan<float> planar, Span<float> interleaved, int count, int pixels)
    {
        for (var i = 0; i < count; i++)
        {
            var src = planar.Slice(i * 3 * pixels, 3 * pixels);
            var dst = interleaved.Slice(i * 3 * pixels, 3 * pixels);
            for (var c = 0; c < 3; c++)
            {
                var plane = src.Slice(c * pixels, pixels);
                for (var p = 0; p < pixels; p++) dst[3 * p + c] = plane[p];
            }
        }
    }

    /// <summary>Copies a float32 or float16 output tensor into <paramref name="destination"/> as float32.</summary>
    public static void ReadOutput(OrtValue output, Span<float> destination)
    {
        var info = output.GetTensorTypeAndShape();
        switch (info.ElementDataType)
        {
            case TensorElementType.Float:
                output.GetTensorDataAsSpan<float>()[..destination.Length].CopyTo(destination);
                break;
            case TensorElementType.Float16:
                var halves = MemoryMarshal.Cast<Float16, Half>(output.GetTensorDataAsSpan<Float16>());
                TensorPrimitives.ConvertToSingle(halves[..destination.Length], destination);
                break;
            default:
                throw new InvalidDataException($"The graph's output is {info.ElementDataType}; the harness reads float32 or float16 embeddings.");
        }
    }

    /// <summary>The element type the spec's dtype means, as ONNX Runtime's metadata reports it.</summary>
    public static Type ElementType(InputDType dtype) => dtype == InputDType.Float16 ? typeof(Float16) : typeof(float);
}
