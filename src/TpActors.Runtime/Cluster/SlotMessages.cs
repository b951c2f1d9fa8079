using Akka.Actor;

namespace TpActors.Runtime.Cluster;

/// <summary>
/// A driver asks a host's <see cref="HostSlots"/> what it offers, with a fresh <paramref name="Challenge"/>; the answer is a
/// <see cref="SlotOffer"/> proving the host holds the cluster's secret (<see cref="SlotOfferProof"/>).
/// </summary>
public sealed record GetSlotOffer(string Challenge) : IClusterMessage;

/// <summary>
/// A host's rank slots: how many it has, how many are free, the cores its ranks share, and its <paramref name="Proof"/>
/// of the cluster's secret for the challenge it answers.
/// </summary>
public sealed record SlotOffer(int Slots, int Free, int Cores, string Proof) : IClusterMessage;

/// <summary>
/// A driver leases <paramref name="Count"/> free slots of a host for job <paramref name="Job"/>; the host holds them until
/// <paramref name="Holder"/> stops or sends <see cref="ReleaseSlots"/>. Answer: <see cref="SlotsLeased"/>, or a
/// <see cref="Status.Failure"/> when fewer are free.
/// </summary>
public sealed record LeaseSlots(string Job, int Count, IActorRef Holder) : IClusterMessage;

/// <summary>The slots a host leased to a job, by number.</summary>
public sealed record SlotsLeased(string Job, IReadOnlyList<int> Slots) : IClusterMessage;

/// <summary>The job is done with its slots on this host.</summary>
public sealed record ReleaseSlots(string Job) : IClusterMessage;

/// <summary>
/// A host that is leaving (SIGTERM) tells each job's lease holder: the job should move its ranks off <paramref name="Node"/>
/// at its next step boundary and release the slots there; the host leaves once they are free.
/// </summary>
public sealed record HostDraining(Address Node) : IClusterMessage;

/// <summary>Asks a host's <see cref="HostSlots"/> to drain: it offers no slot from now on and answers <see cref="SlotsDrained"/> once every slot is free.</summary>
public sealed record DrainSlots
{
    /// <summary>The one instance.</summary>
    public static DrainSlots Instance { get; } = new();
}

/// <summary>Every slot of a draining host is free.</summary>
public sealed record SlotsDrained
{
    /// <summary>The one instance.</summary>
    public static SlotsDrained Instance { get; } = new();
}

/// <summary>Asks a lease's holder to tell <paramref name="Watcher"/> (the job's supervisor) of every <see cref="HostDraining"/>.</summary>
public sealed record WatchLease(IActorRef Watcher);
