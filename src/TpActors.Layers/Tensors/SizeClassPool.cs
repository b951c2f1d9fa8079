using System.Collections.Concurrent;
using System.Numerics;

namespace TpActors.Layers.Tensors;

/// <summary>
/// A free list of buffers by power-of-two capacity, shared by tensor storage and collective chunks: a buffer returned after
/// use serves the next request of its size class, so steady-state steps allocate nothing. Thread-safe; at most
/// <paramref name="maxPerClass"/> free buffers are kept per class, and the rest are left to the GC.
/// </summary>
/// <param name="maxPerClass">Free buffers kept per capacity.</param>
/// <param name="create">Makes a new buffer of the given capacity.</param>
internal sealed class SizeClassPool<T>(int maxPerClass, Func<int, T> create) where T : class
{
    private const int MinCapacity = 16;

    // Free buffers by capacity; Rent takes from the queue of its class, Return adds to it.
    private readonly ConcurrentDictionary<int, ConcurrentQueue<T>> _free = new();

    /// <summary>The capacity that serves <paramref name="length"/> elements: the next power of two, at least 16 (the length itself above 2³⁰).</summary>
    public static int CapacityFor(int length) =>
        length <= MinCapacity ? MinCapacity : length > 1 << 30 ? length : (int)BitOperations.RoundUpToPowerOf2((uint)length);

    /// <summary>A free buffer of the class of <paramref name="length"/>, or a new one.</summary>
    public T Rent(int length)
    {
        int capacity = CapacityFor(length);
        return _free.TryGetValue(capacity, out var queue) && queue.TryDequeue(out var item) ? item : create(capacity);
    }

    /// <summary>Gives back a buffer of <paramref name="capacity"/>; the caller must not touch it again.</summary>
    public void Return(int capacity, T item)
    {
        var queue = _free.GetOrAdd(capacity, static _ => new ConcurrentQueue<T>());
        if (queue.Count < maxPerClass) queue.Enqueue(item);
    }
}
