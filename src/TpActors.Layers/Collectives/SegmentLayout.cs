using System.Diagnostics;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Collectives;

/// <summary>
/// How a flat buffer is cut for a ring: one segment per rank (segment r at <c>Offsets[r]</c>, <c>Counts[r]</c> elements),
/// and each segment into chunks of at most <see cref="ChunkElements"/> floats that travel as separate messages, so that
/// a rank forwards the first chunk of a segment while the rest are still on their way. An empty segment is one empty chunk,
/// so every step still carries a message and the ring keeps its rhythm.
/// </summary>
internal sealed class SegmentLayout
{
    private SegmentLayout(int[] counts, int chunkElements)
    {
        Debug.Assert(chunkElements > 0, "A chunk holds at least one float.");
        Counts = counts;
        Offsets = new int[counts.Length];
        for (int r = 1; r < counts.Length; r++) Offsets[r] = Offsets[r - 1] + counts[r - 1];
        Total = counts.Length == 0 ? 0 : Offsets[^1] + counts[^1];
        ChunkElements = chunkElements;
    }

    /// <summary>Elements per segment.</summary>
    public int[] Counts { get; }

    /// <summary>Where each segment starts.</summary>
    public int[] Offsets { get; }

    /// <summary>All elements.</summary>
    public int Total { get; }

    /// <summary>Most floats per chunk.</summary>
    public int ChunkElements { get; }

    /// <summary>Segments of the given sizes.</summary>
    public static SegmentLayout Of(IReadOnlyList<int> counts, int chunkElements) => new([.. counts], chunkElements);

    /// <summary>One segment per member of <paramref name="comm"/>'s group, sized by <paramref name="counts"/>; a wrong number of sizes is refused, naming <paramref name="operation"/>.</summary>
    public static SegmentLayout PerRank(Communicator comm, IReadOnlyList<int> counts, CollectiveOperation operation)
    {
        if (counts.Count != comm.Size)
            throw new ArgumentException($"{RoundId.OperationName(operation)} in group '{comm.Group}' needs {comm.Size} segment sizes, one per rank, but got {counts.Count}.");
        return Of(counts, comm.ChunkElements);
    }

    /// <summary><paramref name="total"/> elements over <paramref name="segments"/> segments, balanced as every shard is (<see cref="Partition"/>).</summary>
    public static SegmentLayout Balanced(int total, int segments, int chunkElements) =>
        new(Partition.Sizes(total, segments), chunkElements);

    /// <summary>Chunks in all segments together: the most views one pass can lend.</summary>
    public int TotalChunks
    {
        get
        {
            int total = 0;
            for (int segment = 0; segment < Counts.Length; segment++) total += ChunksOf(segment);
            return total;
        }
    }

    /// <summary>Chunks in segment <paramref name="segment"/>: at least one.</summary>
    public int ChunksOf(int segment) => Math.Max(1, (Counts[segment] + ChunkElements - 1) / ChunkElements);

    /// <summary>Where chunk <paramref name="index"/> of <paramref name="segment"/> starts in the buffer, and its length.</summary>
    public (int Start, int Length) Chunk(int segment, int index)
    {
        int within = index * ChunkElements;
        return (Offsets[segment] + within, Math.Min(ChunkElements, Counts[segment] - within));
    }
}
