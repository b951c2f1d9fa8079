using System.Diagnostics;
using TpActors.Layers.Tensors;

namespace TpActors.Layers.Collectives;

/// <summary>
/// One piece of a collective's data on its way from a rank to the next, and the message that carries it.
/// Chunks are pooled, so a round allocates nothing once warm. Ownership moves with the message: the sender does not
/// touch a chunk after sending it; the receiver reuses it (reduces into it, forwards it) or returns it to the pool.
/// </summary>
[DebuggerDisplay("{Round} step {Step} chunk {Index} from rank {From}: {Length} floats")]
public sealed class CollectiveChunk
{
    private static readonly SizeClassPool<CollectiveChunk> s_pool = new(maxPerClass: 256, static capacity => new CollectiveChunk(capacity));

    private CollectiveChunk(int capacity) => Data = new float[capacity];

    /// <summary>The round this chunk belongs to.</summary>
    public RoundId Round { get; private set; }

    /// <summary>The ring step (or 0 for a broadcast) at which it was sent.</summary>
    public int Step { get; private set; }

    /// <summary>Its index among the chunks of its segment.</summary>
    public int Index { get; private set; }

    /// <summary>The sending rank.</summary>
    public int From { get; private set; }

    /// <summary>The elements it carries: the first <see cref="Length"/> of <see cref="Data"/>.</summary>
    public int Length { get; private set; }

    /// <summary>Storage of at least <see cref="Length"/> floats.</summary>
    public float[] Data { get; }

    /// <summary>The carried elements.</summary>
    public Span<float> Values => Data.AsSpan(0, Length);

    /// <summary>A chunk from the pool with room for at least <paramref name="length"/> floats (capacities are powers of two).</summary>
    internal static CollectiveChunk Rent(int length) => s_pool.Rent(length);

    /// <summary>Labels the chunk for sending.</summary>
    internal CollectiveChunk Address(RoundId round, int step, int index, int from, int length)
    {
        Debug.Assert(length <= Data.Length, "A chunk never carries more than its capacity.");
        Round = round;
        Step = step;
        Index = index;
        From = from;
        Length = length;
        return this;
    }

    /// <summary>Gives the chunk back to the pool; its owner must not touch it again.</summary>
    internal void Return() => s_pool.Return(Data.Length, this);
}
