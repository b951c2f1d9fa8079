namespace TpActors.Layers.Collectives;

/// <summary>
/// Ring all-reduce = ring reduce-scatter followed by ring all-gather, in one round of 2(n − 1) steps: the buffer is cut into
/// n balanced segments; steps 0 … n − 2 leave rank r with segment r of the sum (see <see cref="RingReduceScatter"/>), steps
/// n − 1 … 2n − 3 circulate the finished segments (see <see cref="RingAllGather"/>). Each rank sends and receives
/// 2(n − 1)/n of the buffer, the bandwidth-optimal amount. Every sum is formed once, along the ring, and then copied,
/// so all ranks end bit-identical, run after run. Partial sums are formed in the buffer itself and lent from there, so in
/// one process a rank reads each input once and copies each sum once. Works for any length, including fewer elements than ranks.
/// </summary>
internal static class RingAllReduce
{
    public static void Run(Communicator comm, Span<float> buffer)
    {
        var round = comm.BeginRound(CollectiveOperation.AllReduce);
        if (comm.Size > 1)
        {
            var layout = SegmentLayout.Balanced(buffer.Length, comm.Size, comm.ChunkElements);
            Span<float> mine = buffer.Slice(layout.Offsets[comm.Rank], layout.Counts[comm.Rank]);
            RingPass.ReduceInPlace(comm, round, buffer, layout, comm.Rank - 1, 0, mine);
            RingPass.Gather(comm, round, buffer, layout, comm.Rank, comm.Size - 1);
        }
        comm.EndRound(round);
    }
}
