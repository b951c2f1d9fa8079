namespace TpActors.Layers.Collectives;

/// <summary>
/// Ring reduce-scatter: the input (the same length on every rank) is cut into one segment per rank; after n − 1 steps
/// rank r holds segment r of the element-wise sum.
/// <para>Protocol: at step s (0 … n − 2) rank r sends its partial sum of segment r − 1 − s to rank r + 1 and receives the
/// partial sum of segment r − 2 − s from rank r − 1, adds its own elements and forwards the same chunk at step s + 1;
/// the chunk received at the last step is segment r, complete. Each segment travels in chunks, pipelined.
/// The round completes when the last chunk of segment r has arrived; on timeout see <see cref="Communicator"/>.</para>
/// </summary>
internal static class RingReduceScatter
{
    public static void Run(Communicator comm, ReadOnlySpan<float> input, Span<float> output, IReadOnlyList<int> counts)
    {
        var layout = SegmentLayout.PerRank(comm, counts, CollectiveOperation.ReduceScatter);
        if (input.Length != layout.Total || output.Length != layout.Counts[comm.Rank])
            throw new ArgumentException($"Reduce-scatter at rank {comm.Rank}: the input has {input.Length} elements and the output {output.Length}, " +
                $"but the segments [{string.Join(", ", layout.Counts)}] need {layout.Total} and {layout.Counts[comm.Rank]}.");
        var round = comm.BeginRound(CollectiveOperation.ReduceScatter);
        if (comm.Size == 1) input.CopyTo(output);
        else RingPass.Reduce(comm, round, input, layout, comm.Rank - 1, 0, output);
        comm.EndRound(round);
    }
}
