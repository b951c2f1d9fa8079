using Akka.Actor;
using TpActors.Runtime.Cluster;

namespace TpActors.Layers.Execution;

/// <summary>
/// A rank asks its buddy host's <see cref="SnapshotVault"/> to keep a copy of its snapshot of <paramref name="Step"/>, whose
/// bytes <paramref name="Letter"/> names on that host's lane; answered with <see cref="ReplicaHeld"/> once it is kept.
/// </summary>
public sealed record HoldReplica(IActorRef Supervisor, int Rank, long Step, LaneLetter Letter) : IClusterMessage;

/// <summary>A buddy host keeps a copy of <paramref name="Rank"/>'s snapshot of <paramref name="Step"/>.</summary>
public sealed record ReplicaHeld(int Rank, long Step) : IClusterMessage;

/// <summary>
/// A rank placed anew asks the vault that holds a copy of its snapshot of <paramref name="Step"/> to send it to its lane,
/// <paramref name="ToLane"/>; answered with the <see cref="LaneLetter"/> that names it there, or <see cref="ReplicaMissing"/>.
/// </summary>
public sealed record SendReplica(IActorRef Supervisor, int Rank, long Step, string ToLane) : IClusterMessage;

/// <summary>The vault asked by <see cref="SendReplica"/> has no such copy, or could not send it: why.</summary>
public sealed record ReplicaMissing(string Reason) : IClusterMessage;
