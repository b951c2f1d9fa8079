using Akka.Actor;

namespace TpActors.Runtime.Cluster;

/// <summary>Finds new slots for a job's ranks whose host was lost or is leaving, and gives slots back (a job's <see cref="SlotLease"/> does).</summary>
public interface IRankPlacer
{
    /// <summary>
    /// A slot for each of <paramref name="ranks"/> on a host that is Up and not one of the host processes at
    /// <paramref name="avoid"/> (a process started at such an address later is a new host), waiting a bounded time (the
    /// placer's own) for one to free or join.
    /// </summary>
    /// <exception cref="TimeoutException">Not enough slots in time; the message lists the hosts seen.</exception>
    Task<IReadOnlyList<SlotAssignment>> PlaceAsync(IReadOnlyList<int> ranks, IReadOnlyCollection<Address> avoid);

    /// <summary>Tells <paramref name="supervisor"/> of every host that drains (<see cref="HostDraining"/>), from now on and before.</summary>
    void Watch(IActorRef supervisor);

    /// <summary>Gives back the job's slots on <paramref name="node"/> (its ranks have moved off it).</summary>
    void Release(Address node);
}
