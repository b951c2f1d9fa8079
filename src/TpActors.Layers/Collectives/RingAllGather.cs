namespace TpActors.Layers.Collectives;

/// <summary>
/// Ring all-gather: rank r contributes segment r; after n − 1 steps every rank holds all segments in rank order.
/// <para>Protocol: rank r lends its own segment from <c>local</c> and copies it into place while its neighbour reads it; at step s (0 … n − 2) it sends segment r − s to rank r + 1 and
/// receives segment r − 1 − s from rank r − 1, stores it and forwards the same chunk at step s + 1 (the chunk received at
/// the last step is not forwarded). Every rank stores copies of the same bits, so all end identical. The round completes
/// when the last chunk arrives; on timeout see <see cref="Communicator"/>.</para>
/// </summary>
internal static class RingAllGather
{
    public static void Run(Communicator comm, ReadOnlySpan<float> local, Span<float> output, IReadOnlyList<int> counts)
    {
        var layout = SegmentLayout.PerRank(comm, counts, CollectiveOperation.AllGather);
        if (local.Length != layout.Counts[comm.Rank] || output.Length != layout.Total)
            throw new ArgumentException($"All-gather at rank {comm.Rank}: the local part has {local.Length} elements and the output {output.Length}, " +
                $"but the segments [{string.Join(", ", layout.Counts)}] need {layout.Counts[comm.Rank]} and {layout.Total}.");
        var round = comm.BeginRound(CollectiveOperation.AllGather);
        if (comm.Size > 1) RingPass.Gather(comm, round, local, output, layout);
        else local.CopyTo(output);
        comm.EndRound(round);
    }
}
