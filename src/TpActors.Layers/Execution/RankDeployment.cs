using Akka.Actor;
using Akka.Remote;
using TpActors.Layers.Execution.Faults;
using TpActors.Runtime.Cluster;

namespace TpActors.Layers.Execution;

/// <summary>
/// Where a rank actor is created: in this process, or on a cluster host's slot (Akka remote deployment: the rank is the
/// child of its supervisor on the driver, runs on the host's pinned dispatcher, and stops when its parent does).
/// </summary>
public static class RankDeployment
{
    /// <summary>
    /// Props for rank <paramref name="rank"/> of <paramref name="size"/> with <paramref name="settings"/>; on its host when
    /// <paramref name="placement"/> is given, where the host's cores are shared among this job's ranks on it.
    /// </summary>
    public static Props Props(int rank, int size, RankSettings settings, IReadOnlyList<SlotAssignment>? placement, FaultPlan? faults = null)
    {
        if (placement is null) return RankActor.Props(rank, settings.ThreadsPerRank(size), settings, faults);
        var slot = placement[rank];
        return RankActor.Props(rank, settings.ThreadsPerRank(slot.RanksOnNode, slot.Cores), settings).WithDeploy(Deploy.None.WithScope(new RemoteScope(slot.Node)));
    }
}
