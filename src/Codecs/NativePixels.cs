using System.Buffers;

namespace TraceProbe.Images;

/// <summary>
/// Pixel memory that libvips allocated (its <c>write_to_memory</c> result), lent to an ImageSharp image without a
/// copy and freed with libvips' allocator when the image is disposed.
/// </summary>
internal sealed unsafe class NativePixels<T>(IntPtr pointer, int length) : MemoryManager<T> where T : unmanaged
{
    private IntPtr _pointer = pointer;

    // An image that is never disposed still gives its pixels back, when the collector finds it.
    ~NativePixels() => Dispose(false);

    public override Span<T> GetSpan() => new((void*)_pointer, length);

    public override MemoryHandle Pin(int elementIndex = 0) => new((T*)_pointer + elementIndex);

    public override void Unpin() { }

    protected override void Dispose(bool disposing)
    {
        var pointer = Interlocked.Exchange(ref _pointer, IntPtr.Zero);
        if (pointer != IntPtr.Zero) NetVips.NetVips.Free(pointer);
    }
}
