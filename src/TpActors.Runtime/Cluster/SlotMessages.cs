using Akka.Actor;

namespace TpActors.Runtime.Cluster;

/// <summary>A driver asks a host's <see cref="HostSlots"/> what it offers; the answer is a <see cref="SlotOffer"/>.</summary>
public sealed record GetSlotOffer : IClusterMessage
{
    /// <summary>The one instance.</summary>
    public static GetSlotOffer Instance { get; } = new();
}

/// <summary>A host's rank slots: how many it has, how many are free, and the cores its ranks share.</summary>
public sealed record SlotOffer(int Slots, int Free, int Cores) : IClusterMessage;

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
