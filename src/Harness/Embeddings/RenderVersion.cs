using TraceProbe.Common;

namespace TraceProbe.Embeddings;

/// <summary>
/// The version of the code that turns a photo into an embedding: decoding, the processing ops, the encoder's resize,
/// crop and tensorizer, the ONNX feed. It enters every embedding cache key, so that after a fix a rerun into the
/// same --out recomputes instead of reusing embeddings the old code made.
/// </summary>
public static class RenderVersion
{
    /// <summary>
    /// Bump when a change to src/Codecs, src/Vocabulary or src/Harness/{Images,Processing,EncoderInputs,Encoders} can
    /// change one bit of an embedding. RenderVersionTests fails when those sources change, until
    /// <see cref="SourcesFingerprint"/> is updated: that is the moment to decide whether to bump this.
    /// </summary>
    public const int Code = 2;

    /// <summary>SHA-256 (first 16 hex digits) of the rendering sources <see cref="Code"/> was last reviewed against.</summary>
    public const string SourcesFingerprint = "675c63745a7e77d0";

    /// <summary>What goes into the cache key: the code version and the rendering libraries' versions.</summary>
    public static string Current { get; } = $"render/{Code};{LibraryVersions.Rendering}";
}
