using Akka.Actor;
using Akka.Remote;
using TpActors.Runtime.Cluster;

namespace TpActors.Layers.Ranks;

/// <summary>
/// Where a rank actor is created: in this process, or on a cluster host's slot (Akka remote deployment: the rank is the
/// child of its supervisor on the driver, runs on the host's pinned dispatcher, and stops when its parent does).
/// </summary>
public static class RankDeployment
{
    /// <summary>
    /// Props for <see cref="RankActor"/> <paramref name="rank"/> of <paramref name="size"/> with <paramref name="settings"/>;
    /// on its host when <paramref name="placement"/> is given.
    /// </summary>
    public static Props Props(int rank, int size, RankSettings settings, IReadOnlyList<SlotAssignment>? placement) =>
        Place(rank, size, settings, placement, threads => RankActor.Props(rank, threads, settings));

    /// <summary>
    /// The props <paramref name="create"/> makes for rank <paramref name="rank"/> of <paramref name="size"/>, given its GEMM
    /// threads; deployed on its host when <paramref name="placement"/> is given, where the host's cores are shared among this
    /// job's ranks on it.
    /// </summary>
    public static Props Place(int rank, int size, RankSettings settings, IReadOnlyList<SlotAssignment>? placement, Func<int, Props> create)
    {
        if (placement is null) return create(settings.ThreadsPerRank(size));
        var slot = placement[rank];
        return create(settings.ThreadsPerRank(slot.RanksOnNode, slot.Cores)).WithDeploy(Deploy.None.WithScope(new RemoteScope(slot.Node)));
    }
}
