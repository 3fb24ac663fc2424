using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace TraceProbe.Probes;

/// <summary>
/// Four-row blocks of the softmax-regression hot loop. Each weight vector loaded from L1 serves four rows and
/// each gradient vector is loaded and stored once per four rows, which per-row TensorPrimitives calls
/// cannot do; this is what brings a gradient pass near the memory bound. One generic driver, specialised
/// for Vector512, Vector256, Vector128 and scalar, with an explicit scalar remainder.
/// </summary>
internal static class BlockKernels
{
    public const int Rows = 4;

    /// <summary>z[r, c] = w[c,:]·x_r + b[c] for the four rows x0..x3; z row-major [4, classes].</summary>
    public static void Logits(ReadOnlySpan<float> x0, ReadOnlySpan<float> x1, ReadOnlySpan<float> x2, ReadOnlySpan<float> x3,
        ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> z)
    {
        int dim = x0.Length, classes = b.Length;
        if (x1.Length != dim || x2.Length != dim || x3.Length != dim || w.Length < classes * dim || z.Length < Rows * classes)
            throw new ArgumentException("Block shapes do not agree.");
        if (Vector512.IsHardwareAccelerated && dim >= Vector512<float>.Count)
            Logits<V512, Vector512<float>>(x0, x1, x2, x3, w, b, z);
        else if (Vector256.IsHardwareAccelerated && dim >= Vector256<float>.Count)
            Logits<V256, Vector256<float>>(x0, x1, x2, x3, w, b, z);
        else if (Vector128.IsHardwareAccelerated && dim >= Vector128<float>.Count)
            Logits<V128, Vector128<float>>(x0, x1, x2, x3, w, b, z);
        else
            Logits<Scalar, float>(x0, x1, x2, x3, w, b, z);
    }

    /// <summary>g[c,:] += Σ_r coef[r, c]·x_r over the four rows; coef row-major [4, classes].</summary>
    public static void AddOuter(ReadOnlySpan<float> coef, ReadOnlySpan<float> x0, ReadOnlySpan<float> x1, ReadOnlySpan<float> x2,
        ReadOnlySpan<float> x3, Span<float> g, int classes)
    {
        var dim = x0.Length;
        if (x1.Length != dim || x2.Length != dim || x3.Length != dim || g.Length < classes * dim || coef.Length < Rows * classes)
            throw new ArgumentException("Block shapes do not agree.");
        if (Vector512.IsHardwareAccelerated && dim >= Vector512<float>.Count)
            AddOuter<V512, Vector512<float>>(coef, x0, x1, x2, x3, g, classes);
        else if (Vector256.IsHardwareAccelerated && dim >= Vector256<float>.Count)
            AddOuter<V256, Vector256<float>>(coef, x0, x1, x2, x3, g, classes);
        else if (Vector128.IsHardwareAccelerated && dim >= Vector128<float>.Count)
            AddOuter<V128, Vector128<float>>(coef, x0, x1, x2, x3, g, classes);
        else
            AddOuter<Scalar, float>(coef, x0, x1, x2, x3, g, classes);
    }

    private static void Logits<TOps, TV>(ReadOnlySpan<float> x0s, ReadOnlySpan<float> x1s, ReadOnlySpan<float> x2s, ReadOnlySpan<float> x3s,
        ReadOnlySpan<float> ws, ReadOnlySpan<float> b, Span<float> z)
        where TOps : struct, IOps<TV> where TV : struct
    {
        int dim = x0s.Length, classes = b.Length;
        var vectorEnd = dim - dim % TOps.Width;
        ref float x0 = ref MemoryMarshal.GetReference(x0s), x1 = ref MemoryMarshal.GetReference(x1s);
        ref float x2 = ref MemoryMarshal.GetReference(x2s), x3 = ref MemoryMarshal.GetReference(x3s);
        var c = 0;
        // Three classes at a time: twelve accumulators, each x vector loaded once for three weight vectors.
        for (; c + 3 <= classes; c += 3)
        {
            ref var wa = ref Unsafe.Add(ref MemoryMarshal.GetReference(ws), c * dim);
            ref var wb = ref Unsafe.Add(ref wa, dim);
            ref var wc2 = ref Unsafe.Add(ref wb, dim);
            TV a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero;
            TV b0 = TOps.Zero, b1 = TOps.Zero, b2 = TOps.Zero, b3 = TOps.Zero;
            TV e0 = TOps.Zero, e1 = TOps.Zero, e2 = TOps.Zero, e3 = TOps.Zero;
            for (var d = 0; d < vectorEnd; d += TOps.Width)
            {
                TV v0 = TOps.Load(ref x0, d), v1 = TOps.Load(ref x1, d), v2 = TOps.Load(ref x2, d), v3 = TOps.Load(ref x3, d);
                var w = TOps.Load(ref wa, d);
                a0 = TOps.MultiplyAdd(v0, w, a0);
                a1 = TOps.MultiplyAdd(v1, w, a1);
                a2 = TOps.MultiplyAdd(v2, w, a2);
                a3 = TOps.MultiplyAdd(v3, w, a3);
                w = TOps.Load(ref wb, d);
                b0 = TOps.MultiplyAdd(v0, w, b0);
                b1 = TOps.MultiplyAdd(v1, w, b1);
                b2 = TOps.MultiplyAdd(v2, w, b2);
                b3 = TOps.MultiplyAdd(v3, w, b3);
                w = TOps.Load(ref wc2, d);
                e0 = TOps.MultiplyAdd(v0, w, e0);
                e1 = TOps.MultiplyAdd(v1, w, e1);
                e2 = TOps.MultiplyAdd(v2, w, e2);
                e3 = TOps.MultiplyAdd(v3, w, e3);
            }

            Finish<TOps, TV>(c, a0, a1, a2, a3, ref wa, x0s, x1s, x2s, x3s, b, z);
            Finish<TOps, TV>(c + 1, b0, b1, b2, b3, ref wb, x0s, x1s, x2s, x3s, b, z);
            Finish<TOps, TV>(c + 2, e0, e1, e2, e3, ref wc2, x0s, x1s, x2s, x3s, b, z);
        }

        for (; c < classes; c++)
        {
            ref var wc = ref Unsafe.Add(ref MemoryMarshal.GetReference(ws), c * dim);
            TV a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero;
            for (var d = 0; d < vectorEnd; d += TOps.Width)
            {
                var wv = TOps.Load(ref wc, d);
                a0 = TOps.MultiplyAdd(TOps.Load(ref x0, d), wv, a0);
                a1 = TOps.MultiplyAdd(TOps.Load(ref x1, d), wv, a1);
                a2 = TOps.MultiplyAdd(TOps.Load(ref x2, d), wv, a2);
                a3 = TOps.MultiplyAdd(TOps.Load(ref x3, d), wv, a3);
            }

            Finish<TOps, TV>(c, a0, a1, a2, a3, ref wc, x0s, x1s, x2s, x3s, b, z);
        }
    }

    /// <summary>Horizontal sums, the scalar tail of the dimension, and the bias of class k.</summary>
    private static void Finish<TOps, TV>(int k, TV a0, TV a1, TV a2, TV a3, ref float wk,
        ReadOnlySpan<float> x0s, ReadOnlySpan<float> x1s, ReadOnlySpan<float> x2s, ReadOnlySpan<float> x3s, ReadOnlySpan<float> b, Span<float> z)
        where TOps : struct, IOps<TV> where TV : struct
    {
        int dim = x0s.Length, classes = b.Length;
        var vectorEnd = dim - dim % TOps.Width;
        ref float x0 = ref MemoryMarshal.GetReference(x0s), x1 = ref MemoryMarshal.GetReference(x1s);
        ref float x2 = ref MemoryMarshal.GetReference(x2s), x3 = ref MemoryMarshal.GetReference(x3s);
        float s0 = TOps.Sum(a0), s1 = TOps.Sum(a1), s2 = TOps.Sum(a2), s3 = TOps.Sum(a3);
        for (var d = vectorEnd; d < dim; d++)
        {
            var wv = Unsafe.Add(ref wk, d);
            s0 += Unsafe.Add(ref x0, d) * wv;
            s1 += Unsafe.Add(ref x1, d) * wv;
            s2 += Unsafe.Add(ref x2, d) * wv;
            s3 += Unsafe.Add(ref x3, d) * wv;
        }

        z[k] = s0 + b[k];
        z[classes + k] = s1 + b[k];
        z[2 * classes + k] = s2 + b[k];
        z[3 * classes + k] = s3 + b[k];
    }

    private static void AddOuter<TOps, TV>(ReadOnlySpan<float> coef, ReadOnlySpan<float> x0s, ReadOnlySpan<float> x1s, ReadOnlySpan<float> x2s,
        ReadOnlySpan<float> x3s, Span<float> gs, int classes)
        where TOps : struct, IOps<TV> where TV : struct
    {
        var dim = x0s.Length;
        var vectorEnd = dim - dim % TOps.Width;
        ref float x0 = ref MemoryMarshal.GetReference(x0s), x1 = ref MemoryMarshal.GetReference(x1s);
        ref float x2 = ref MemoryMarshal.GetReference(x2s), x3 = ref MemoryMarshal.GetReference(x3s);
        var c = 0;
        // Three classes at a time: each x vector loaded once for three gradient rows.
        for (; c + 3 <= classes; c += 3)
        {
            ref var ga = ref Unsafe.Add(ref MemoryMarshal.GetReference(gs), c * dim);
            ref var gb = ref Unsafe.Add(ref ga, dim);
            ref var ge = ref Unsafe.Add(ref gb, dim);
            TV qa0 = TOps.Broadcast(coef[c]), qa1 = TOps.Broadcast(coef[classes + c]);
            TV qa2 = TOps.Broadcast(coef[2 * classes + c]), qa3 = TOps.Broadcast(coef[3 * classes + c]);
            TV qb0 = TOps.Broadcast(coef[c + 1]), qb1 = TOps.Broadcast(coef[classes + c + 1]);
            TV qb2 = TOps.Broadcast(coef[2 * classes + c + 1]), qb3 = TOps.Broadcast(coef[3 * classes + c + 1]);
            TV qe0 = TOps.Broadcast(coef[c + 2]), qe1 = TOps.Broadcast(coef[classes + c + 2]);
            TV qe2 = TOps.Broadcast(coef[2 * classes + c + 2]), qe3 = TOps.Broadcast(coef[3 * classes + c + 2]);
            for (var d = 0; d < vectorEnd; d += TOps.Width)
            {
                TV v0 = TOps.Load(ref x0, d), v1 = TOps.Load(ref x1, d), v2 = TOps.Load(ref x2, d), v3 = TOps.Load(ref x3, d);
                TV a = TOps.Load(ref ga, d), b = TOps.Load(ref gb, d), e = TOps.Load(ref ge, d);
                a = TOps.MultiplyAdd(v0, qa0, a);
                b = TOps.MultiplyAdd(v0, qb0, b);
                e = TOps.MultiplyAdd(v0, qe0, e);
                a = TOps.MultiplyAdd(v1, qa1, a);
                b = TOps.MultiplyAdd(v1, qb1, b);
                e = TOps.MultiplyAdd(v1, qe1, e);
                a = TOps.MultiplyAdd(v2, qa2, a);
                b = TOps.MultiplyAdd(v2, qb2, b);
                e = TOps.MultiplyAdd(v2, qe2, e);
                a = TOps.MultiplyAdd(v3, qa3, a);
                b = TOps.MultiplyAdd(v3, qb3, b);
                e = TOps.MultiplyAdd(v3, qe3, e);
                TOps.Store(a, ref ga, d);
                TOps.Store(b, ref gb, d);
                TOps.Store(e, ref ge, d);
            }

            for (var k = c; k < c + 3; k++)
                AddOuterTail(coef, x0s, x1s, x2s, x3s, gs, classes, k, vectorEnd);
        }

        for (; c < classes; c++)
        {
            ref var gc = ref Unsafe.Add(ref MemoryMarshal.GetReference(gs), c * dim);
            float p0 = coef[c], p1 = coef[classes + c], p2 = coef[2 * classes + c], p3 = coef[3 * classes + c];
            TV q0 = TOps.Broadcast(p0), q1 = TOps.Broadcast(p1), q2 = TOps.Broadcast(p2), q3 = TOps.Broadcast(p3);
            for (var d = 0; d < vectorEnd; d += TOps.Width)
            {
                var acc = TOps.Load(ref gc, d);
                acc = TOps.MultiplyAdd(TOps.Load(ref x0, d), q0, acc);
                acc = TOps.MultiplyAdd(TOps.Load(ref x1, d), q1, acc);
                acc = TOps.MultiplyAdd(TOps.Load(ref x2, d), q2, acc);
                acc = TOps.MultiplyAdd(TOps.Load(ref x3, d), q3, acc);
                TOps.Store(acc, ref gc, d);
            }

            AddOuterTail(coef, x0s, x1s, x2s, x3s, gs, classes, c, vectorEnd);
        }
    }

    /// <summary>The scalar tail of the dimension, from <paramref name="vectorEnd"/>, for class k.</summary>
    private static void AddOuterTail(ReadOnlySpan<float> coef, ReadOnlySpan<float> x0, ReadOnlySpan<float> x1, ReadOnlySpan<float> x2,
        ReadOnlySpan<float> x3, Span<float> g, int classes, int k, int vectorEnd)
    {
        var dim = x0.Length;
        float p0 = coef[k], p1 = coef[classes + k], p2 = coef[2 * classes + k], p3 = coef[3 * classes + k];
        var gk = g.Slice(k * dim, dim);
        for (var d = vectorEnd; d < dim; d++)
            gk[d] += p0 * x0[d] + p1 * x1[d] + p2 * x2[d] + p3 * x3[d];
    }

    private interface IOps<TV> where TV : struct
    {
        static abstract int Width { get; }
        static abstract TV Zero { get; }
        static abstract TV Load(ref float source, int offset);
        static abstract void Store(TV value, ref float destination, int offset);
        static abstract TV Broadcast(float value);

        /// <summary>a·b + c, fused where the hardware fuses.</summary>
        static abstract TV MultiplyAdd(TV a, TV b, TV c);
        static abstract float Sum(TV value);
    }

    private readonly struct V512 : IOps<Vector512<float>>
    {
        public static int Width => Vector512<float>.Count;
        public static Vector512<float> Zero => Vector512<float>.Zero;
        public static Vector512<float> Load(ref float source, int offset) => Vector512.LoadUnsafe(ref source, (nuint)offset);
        public static void Store(Vector512<float> value, ref float destination, int offset) => value.StoreUnsafe(ref destination, (nuint)offset);
        public static Vector512<float> Broadcast(float value) => Vector512.Create(value);
        public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.MultiplyAddEstimate(a, b, c);
        public static float Sum(Vector512<float> value) => Vector512.Sum(value);
    }

    private readonly struct V256 : IOps<Vector256<float>>
    {
        public static int Width => Vector256<float>.Count;
        public static Vector256<float> Zero => Vector256<float>.Zero;
        public static Vector256<float> Load(ref float source, int offset) => Vector256.LoadUnsafe(ref source, (nuint)offset);
        public static void Store(Vector256<float> value, ref float destination, int offset) => value.StoreUnsafe(ref destination, (nuint)offset);
        public static Vector256<float> Broadcast(float value) => Vector256.Create(value);
        public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.MultiplyAddEstimate(a, b, c);
        public static float Sum(Vector256<float> value) => Vector256.Sum(value);
    }

    private readonly struct V128 : IOps<Vector128<float>>
    {
        public static int Width => Vector128<float>.Count;
        public static Vector128<float> Zero => Vector128<float>.Zero;
        public static Vector128<float> Load(ref float source, int offset) => Vector128.LoadUnsafe(ref source, (nuint)offset);
        public static void Store(Vector128<float> value, ref float destination, int offset) => value.StoreUnsafe(ref destination, (nuint)offset);
        public static Vector128<float> Broadcast(float value) => Vector128.Create(value);
        public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.MultiplyAddEstimate(a, b, c);
        public static float Sum(Vector128<float> value) => Vector128.Sum(value);
    }

    private readonly struct Scalar : IOps<float>
    {
        public static int Width => 1;
        public static float Zero => 0f;
        public static float Load(ref float source, int offset) => Unsafe.Add(ref source, offset);
        public static void Store(float value, ref float destination, int offset) => Unsafe.Add(ref destination, offset) = value;
        public static float Broadcast(float value) => value;
        public static float MultiplyAdd(float a, float b, float c) => a * b + c;
        public static float Sum(float value) => value;
    }
}
