using TpActors.Runtime.Cluster;
using TpActors.Layers.Tensors;
using TpActors.Layers.Collectives;
using TpActors.Layers.Sharding;
using TpActors.Layers.Models;
using TpActors.Layers.Data;
using TpActors.Layers.Optimizers;
using TpActors.Layers.Checkpoints;

namespace TpActors.Layers.Training;

/// <summary>
/// The id of one phase of a training run: the attempt (raised by every recovery), the step and the phase. Replies carry it,
/// so the supervisor drops every reply of an aborted attempt.
/// </summary>
public readonly record struct PhaseRound(long Attempt, long Step, TrainingPhase Phase)
{
    /// <inheritdoc/>
    public override string ToString() => $"step {Step} {TrainingPhases.Name(Phase)} (attempt {Attempt})";
}

/// <summary>
/// Tells a rank to run one phase; <paramref name="Request"/> is the phase's input (it belongs to the rank from now on, unless
/// said otherwise), and its phase is the round's. <paramref name="Fault"/> is a fault the supervisor injects into a rank on a
/// cluster's host (whose process shares no fault plan with it), or null.
/// </summary>
public sealed record RunPhase(PhaseRound Round, PhaseRequest Request, FaultSpec? Fault = null) : ILayersMessage
{
    /// <summary>The round and the request agree on the phase.</summary>
    public PhaseRound Round { get; } = Request.Phase == Round.Phase ? Round
        : throw new ArgumentException($"A {Request.GetType().Name} cannot run in {Round}.", nameof(Request));
}

/// <summary>
/// A rank finished its part of a phase; <paramref name="Result"/> (see <see cref="PhaseProtocol.Answers"/>) belongs to the
/// receiver. The rank worked on it from <paramref name="StartedUtcTicks"/> (its wall clock, UTC) for <paramref name="ElapsedTicks"/>,
/// doing what <paramref name="Profile"/> tells (null: not recorded).
/// </summary>
public sealed record PhaseDone(PhaseRound Round, int Rank, PhaseResult Result, long StartedUtcTicks = 0, long ElapsedTicks = 0, PhaseProfile? Profile = null) : ILayersMessage;

/// <summary>A rank gave up its phase because the supervisor aborted the round's group; not a fault.</summary>
public sealed record PhaseAborted(PhaseRound Round, int Rank, string Reason) : ILayersMessage;

/// <summary>A rank's collective timed out inside a phase; <paramref name="Missing"/> are the peers that did not answer.</summary>
public sealed record PhaseStalled(PhaseRound Round, int Rank, IReadOnlyList<int> Missing, string Message) : ILayersMessage;

/// <summary>
/// Rank <paramref name="Rank"/>'s bulk connection from rank <paramref name="Peer"/> of group <paramref name="Group"/> broke
/// (see <see cref="Collectives.PeerDisconnected"/>): sent by the rank's inbox the moment it happens, whatever the rank is
/// doing, so that its supervisor suspects the peer's host without waiting for the failure detector.
/// </summary>
public sealed record PeerConnectionLost(int Rank, string Group, int Peer) : ILayersMessage;

/// <summary>
/// A rank could not do its phase for a reason outside the rank that no retry changes (its checkpoint file cannot be written:
/// a full disk, a read-only mount); the supervisor stops the run with <paramref name="Reason"/>.
/// </summary>
public sealed record PhaseFailed(PhaseRound Round, int Rank, string Reason) : ILayersMessage;

/// <summary>
/// Asks a <see cref="TrainingSupervisor"/> to end its run after the step in flight (a Ctrl-C): that step is committed, a
/// checkpoint is written when the run has a directory, and the run ends as if the step were its last.
/// </summary>
public sealed record StopAfterStep;

/// <summary>
/// Asks a <see cref="TrainingSupervisor"/> for its run's outcome, answered when the run ends: the <see cref="TrainingResult"/>,
/// or a <see cref="Akka.Actor.Status.Failure"/> with the <see cref="TrainingFailedException"/> that stopped it.
/// </summary>
public sealed record GetTrainingResult
{
    /// <summary>The one instance.</summary>
    public static GetTrainingResult Instance { get; } = new();
}

/// <summary>
/// What every rank builds: the model, its optimizer, and the task it draws its batches from (each rank draws the step's
/// batch itself, as every tensor-parallel rank of a Megatron data loader does; its seed also seeds the initial weights).
/// </summary>
public sealed record TrainingSetup(ModelSpec Model, OptimizerSpec Optimizer, TaskSpec Task)
{
    /// <summary>The seed of the data, the teacher and the initial weights.</summary>
    [Newtonsoft.Json.JsonIgnore]
    public long Seed => Task.Seed;
}

/// <summary>
/// The join phase's request: join (or re-form) group <paramref name="Group"/> of <paramref name="Endpoints"/>, build the
/// model if the rank has none, and when <paramref name="Restore"/> is set copy that state in.
/// <paramref name="SupervisorLane"/> is where the rank sends states back (null: the supervisor has no lane).
/// <paramref name="Buddy"/> is the rank on another host whose process keeps a copy of each of this rank's snapshots, so a
/// snapshot survives the loss of its own host (-1: none, the ranks share one process or one host).
/// </summary>
public sealed record JoinTraining(string Group, IReadOnlyList<CollectiveEndpoint> Endpoints, TrainingSetup Setup, RestoreSource? Restore, string? SupervisorLane, int Buddy = -1) : PhaseRequest(TrainingPhase.Join);

/// <summary>Where a joining rank's state comes from: one of the records below.</summary>
public abstract record RestoreSource : ILayersMessage;

/// <summary>The state itself, lent read-only for the duration of the join (the supervisor keeps it); never crosses a process.</summary>
public sealed record RestoreState(ShardState State) : RestoreSource;

/// <summary>The state's bytes, on their way on the bulk lane (a rank in another process than its supervisor).</summary>
public sealed record RestoreFromBulkLane(Ranks.BulkLaneTicket Ticket) : RestoreSource;

/// <summary>A step's inputs and targets, both [batch, hidden], drawn by the rank in the batch phase; whoever holds it disposes it.</summary>
public sealed record BatchData(Tensor Inputs, Tensor Targets) : IDisposable
{
    /// <inheritdoc/>
    public void Dispose()
    {
        Inputs.Dispose();
        Targets.Dispose();
    }
}

/// <summary>
/// A state to write the rank's snapshot into when its layout fits (the spare snapshot), or null: part of the optimizer
/// phase's request when a snapshot is due (the rank writes it in the same pass as the update and hands it over in the
/// snapshot phase that follows), and of the snapshot phase's.
/// </summary>
public sealed record SnapshotInto(ShardState? Reuse);

/// <summary>
/// Restore the snapshot of step <paramref name="Step"/> kept in the rank's own process (a rank in another process than its
/// supervisor), or, when <paramref name="Holder"/> is set, the copy kept by that host's <see cref="Snapshots.SnapshotVault"/>
/// (the rank was placed anew after its host was lost).
/// </summary>
public sealed record KeptSnapshot(long Step, Akka.Actor.Address? Holder = null) : RestoreSource;

/// <summary>The checkpoint phase's request: write this rank's file into <paramref name="Directory"/>, with <paramref name="Metadata"/> in its header.</summary>
public sealed record CheckpointRequest(string Directory, int Tp, IReadOnlyDictionary<string, string> Metadata) : PhaseRequest(TrainingPhase.Checkpoint);

/// <summary>A rank failed inside a phase; what its supervisor sees, with the rank and round attached.</summary>
public sealed class RankFaultException(int rank, PhaseRound round, Exception cause)
    : Exception($"rank {rank} failed in {round}: {cause.Message}", cause)
{
    /// <summary>The rank that failed.</summary>
    public int Rank { get; } = rank;

    /// <summary>The phase it failed in.</summary>
    public PhaseRound Round { get; } = round;
}
