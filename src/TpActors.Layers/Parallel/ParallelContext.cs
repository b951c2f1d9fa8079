using TpActors.Layers.Collectives;
using TpActors.Layers.Tensors;

namespace TpActors.Layers.Parallel;

/// <summary>What a layer on one rank computes with: the rank's backend and its tensor-parallel group.</summary>
/// <param name="Backend">The rank's tensor backend.</param>
/// <param name="Group">The tensor-parallel group; <c>Group.Rank</c> picks this rank's shards.</param>
public sealed record ParallelContext(IBackend Backend, Communicator Group)
{
    /// <summary>This rank's index in the group.</summary>
    public int Rank => Group.Rank;

    /// <summary>Ranks in the group (the TP size).</summary>
    public int Size => Group.Size;
}
