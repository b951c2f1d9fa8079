namespace TpActors.Layers.Collectives;

/// <summary>
/// One collective as a rank ran it: what, over which link, among how many ranks, how many bytes, when it started (ticks
/// from the start of the phase that ran it) and how long it took at this rank.
/// </summary>
/// <param name="Operation">The collective.</param>
/// <param name="Link">The dearest hop of the group's ring (<see cref="Communicator.Link"/>), which paces the ring.</param>
/// <param name="Ranks">Ranks in the group.</param>
/// <param name="Bytes">The collective's size as nccl-tests counts it: the whole buffer (all-reduce, broadcast), the gathered output (all-gather), the scattered input (reduce-scatter).</param>
/// <param name="StartTicks">When it started, in <see cref="TimeSpan"/> ticks from the start of its phase.</param>
/// <param name="ElapsedTicks">How long it took, in <see cref="TimeSpan"/> ticks.</param>
public readonly record struct CollectiveSpan(CollectiveOperation Operation, CollectiveLinkKind Link, int Ranks, long Bytes, long StartTicks, long ElapsedTicks)
{
    /// <summary>Bytes per second of the collective itself (nccl-tests' algbw).</summary>
    public double AlgorithmBandwidth => ElapsedTicks > 0 ? Bytes / (ElapsedTicks / (double)TimeSpan.TicksPerSecond) : 0;

    /// <summary>Bytes per second each link carried (nccl-tests' busbw): the algorithm bandwidth times <see cref="BusFactor"/>.</summary>
    public double BusBandwidth => AlgorithmBandwidth * BusFactor(Operation, Ranks);

    /// <summary>nccl-tests' bus bandwidth factor: 2(n−1)/n for all-reduce, (n−1)/n for all-gather and reduce-scatter, 1 for broadcast, 0 for a barrier (it carries no data).</summary>
    public static double BusFactor(CollectiveOperation operation, int ranks) => operation switch
    {
        CollectiveOperation.AllReduce => 2.0 * (ranks - 1) / ranks,
        CollectiveOperation.AllGather or CollectiveOperation.ReduceScatter => (double)(ranks - 1) / ranks,
        CollectiveOperation.Broadcast => 1,
        _ => 0,
    };
}
