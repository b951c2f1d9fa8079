using Akka.Actor;

namespace TpActors.Runtime.Cluster;

/// <summary>Finds new slots for a job's ranks whose host was lost (a job's <see cref="SlotLease"/> does, on the cluster's other hosts).</summary>
public interface IRankPlacer
{
    /// <summary>
    /// A slot for each of <paramref name="ranks"/> on a host that is Up and not in <paramref name="avoid"/>, waiting a bounded
    /// time (the placer's own) for one to free or join.
    /// </summary>
    /// <exception cref="TimeoutException">Not enough slots in time; the message lists the hosts seen.</exception>
    Task<IReadOnlyList<SlotAssignment>> PlaceAsync(IReadOnlyList<int> ranks, IReadOnlyCollection<Address> avoid);
}
