using Akka.Actor;
using TpActors.Runtime.Cluster;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Snapshots;

/// <summary>
/// A rank asks its buddy host's <see cref="SnapshotVault"/> to take a copy of its snapshot of <paramref name="Step"/>, whose
/// tensors are <paramref name="Layout"/>: the vault readies memory for it, expects its bytes under <paramref name="Ticket"/>
/// on its lane, and answers <see cref="ReplicaReady"/> (or <see cref="ReplicaMissing"/>); the rank then sends the bytes
/// and a <see cref="ReplicaSent"/>.
/// </summary>
public sealed record HoldReplica(IActorRef Supervisor, int Rank, long Step, long Ticket, IReadOnlyList<ShardTensorLayout> Layout) : ILayersMessage;

/// <summary>A buddy host's vault expects the copy's bytes under <paramref name="Ticket"/>.</summary>
public sealed record ReplicaReady(long Ticket) : ILayersMessage;

/// <summary>
/// The copy's bytes under <paramref name="Ticket"/> are all sent: from a rank to its buddy's vault (answered with
/// <see cref="ReplicaHeld"/> once they are in and kept, or <see cref="ReplicaMissing"/>), or from a vault to a rank that
/// fetches its copy (the answer to <see cref="SendReplica"/>).
/// </summary>
public sealed record ReplicaSent(long Ticket) : ILayersMessage;

/// <summary>A buddy host keeps a copy of <paramref name="Rank"/>'s snapshot of <paramref name="Step"/>.</summary>
public sealed record ReplicaHeld(int Rank, long Step) : ILayersMessage;

/// <summary>
/// A rank placed anew asks the vault that holds a copy of its snapshot of <paramref name="Step"/> what it is: answered with
/// <see cref="ReplicaOffered"/> (its layout, so the rank readies memory for it), or <see cref="ReplicaMissing"/>.
/// </summary>
public sealed record OfferReplica(IActorRef Supervisor, int Rank, long Step) : ILayersMessage;

/// <summary>The copy asked for by <see cref="OfferReplica"/> is held, with these tensors.</summary>
public sealed record ReplicaOffered(IReadOnlyList<ShardTensorLayout> Layout) : ILayersMessage;

/// <summary>
/// Then the rank asks for the copy's bytes under <paramref name="Ticket"/> on its lane, <paramref name="ToLane"/>; answered
/// with <see cref="ReplicaSent"/> once every byte is sent, or <see cref="ReplicaMissing"/>.
/// </summary>
public sealed record SendReplica(IActorRef Supervisor, int Rank, long Step, string ToLane, long Ticket) : ILayersMessage;

/// <summary>The vault asked for a copy has none, cannot take one, or could not send it: why.</summary>
public sealed record ReplicaMissing(string Reason) : ILayersMessage;
