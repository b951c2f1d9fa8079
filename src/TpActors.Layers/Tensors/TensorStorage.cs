using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace TpActors.Layers.Tensors;

/// <summary>
/// A pinned float buffer whose first element sits on a 64-byte boundary (a cache line, an AVX-512 register),
/// rented from a <see cref="SizeClassPool{T}"/> so that steady-state layer steps allocate nothing.
/// </summary>
internal sealed class TensorStorage
{
    private const int AlignmentBytes = 64;

    private static readonly SizeClassPool<TensorStorage> s_pool = new(maxPerClass: 32, static capacity => new TensorStorage(capacity));

    private TensorStorage(int capacity)
    {
        Capacity = capacity;
        // Pinned (on the pinned object heap), so the aligned offset computed once stays valid for the buffer's life.
        Array = GC.AllocateUninitializedArray<float>(capacity + AlignmentBytes / sizeof(float), pinned: true);
        Offset = AlignedOffset(Array);
    }

    /// <summary>The backing array; element <see cref="Offset"/> is 64-byte aligned.</summary>
    public float[] Array { get; }

    /// <summary>Index of the first usable, aligned element of <see cref="Array"/>.</summary>
    public int Offset { get; }

    /// <summary>Usable elements from <see cref="Offset"/>.</summary>
    public int Capacity { get; }

    /// <summary>The usable elements.</summary>
    public Span<float> Span => Array.AsSpan(Offset, Capacity);

    /// <summary>A buffer of at least <paramref name="length"/> elements, with undefined contents.</summary>
    public static TensorStorage Rent(int length)
    {
        Debug.Assert(length >= 0, "A tensor has a non-negative number of elements.");
        return s_pool.Rent(length);
    }

    /// <summary>Gives the buffer back; the caller must not touch it again.</summary>
    public static void Return(TensorStorage storage) => s_pool.Return(storage.Capacity, storage);

    private static unsafe int AlignedOffset(float[] array)
    {
        nuint address = (nuint)Unsafe.AsPointer(ref array[0]);
        int misalignment = (int)(address % AlignmentBytes);
        return misalignment == 0 ? 0 : (AlignmentBytes - misalignment) / sizeof(float);
    }
}
