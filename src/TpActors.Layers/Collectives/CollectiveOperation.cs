namespace TpActors.Layers.Collectives;

/// <summary>The collectives a group can run; every round names its operation so that ranks calling different ones are caught.</summary>
public enum CollectiveOperation
{
    /// <summary>Every rank ends with the element-wise sum of all ranks' buffers (<see cref="RingAllReduce"/>).</summary>
    AllReduce,

    /// <summary>Rank r ends with segment r of the element-wise sum (<see cref="RingReduceScatter"/>).</summary>
    ReduceScatter,

    /// <summary>Every rank ends with all ranks' segments, in rank order (<see cref="RingAllGather"/>).</summary>
    AllGather,

    /// <summary>Every rank ends with the root's buffer (<see cref="ChainBroadcast"/>).</summary>
    Broadcast,

    /// <summary>No rank leaves before every rank has entered (<see cref="RingBarrier"/>).</summary>
    Barrier,
}
