using Akka.Actor;

namespace TpActors.Runtime.Cluster;

/// <summary>Where one rank of a job runs: a host's node, its slot there, and how the host's cores are shared.</summary>
/// <param name="Rank">The rank.</param>
/// <param name="Node">The host's Akka address.</param>
/// <param name="Slot">The slot on that host.</param>
/// <param name="Cores">The host's cores.</param>
/// <param name="RanksOnNode">Ranks of this job on that host.</param>
public sealed record SlotAssignment(int Rank, Address Node, int Slot, int Cores, int RanksOnNode)
{
    /// <summary>"host:port" of the node.</summary>
    public string Host => NodeAddress.Of(Node).ToString();
}
