namespace TpActors.Layers.Collectives;

/// <summary>
/// Barrier as an all-gather of nothing: n − 1 ring steps of empty messages. The message rank r receives at step s left
/// rank r − 1 − s after that rank entered the barrier, so once all n − 1 have arrived every rank has entered.
/// On timeout the error names the ranks that never entered (see <see cref="Communicator"/>).
/// </summary>
internal static class RingBarrier
{
    public static void Run(Communicator comm)
    {
        var round = comm.BeginRound(CollectiveOperation.Barrier);
        if (comm.Size > 1)
        {
            var layout = SegmentLayout.Of(new int[comm.Size], comm.ChunkElements);
            RingPass.Gather(comm, round, Span<float>.Empty, layout, comm.Rank, 0);
        }
        comm.EndRound(round);
    }
}
