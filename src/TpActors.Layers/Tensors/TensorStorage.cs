using System.Collections.Concurrent;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace TpActors.Layers.Tensors;

/// <summary>
/// A pinned float buffer whose first element sits on a 64-byte boundary (a cache line, an AVX-512 register),
/// rented from a pool of power-of-two capacities so that steady-state layer steps allocate nothing.
/// </summary>
internal sealed class TensorStorage
{
    private const int AlignmentBytes = 64;
    private const int MinCapacity = 16;
    private const int MaxPooledPerCapacity = 32;

    // One queue per power-of-two capacity; a returned buffer waits here for the next Rent of its size class.
    private static readonly ConcurrentDictionary<int, ConcurrentQueue<TensorStorage>> s_pool = new();

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
        int capacity = CapacityFor(length);
        if (s_pool.TryGetValue(capacity, out var queue) && queue.TryDequeue(out var storage)) return storage;
        return new TensorStorage(capacity);
    }

    /// <summary>Gives the buffer back; the caller must not touch it again.</summary>
    public static void Return(TensorStorage storage)
    {
        var queue = s_pool.GetOrAdd(storage.Capacity, static _ => new ConcurrentQueue<TensorStorage>());
        if (queue.Count < MaxPooledPerCapacity) queue.Enqueue(storage);
    }

    private static int CapacityFor(int length) =>
        length <= MinCapacity ? MinCapacity : length > 1 << 30 ? length : (int)BitOperations.RoundUpToPowerOf2((uint)length);

    private static unsafe int AlignedOffset(float[] array)
    {
        nuint address = (nuint)Unsafe.AsPointer(ref array[0]);
        int misalignment = (int)(address % AlignmentBytes);
        return misalignment == 0 ? 0 : (AlignmentBytes - misalignment) / sizeof(float);
    }
}
