using TpActors.Layers.Collectives;
using TpActors.Layers.Checkpoints;
using TpActors.Layers.Ranks;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Training;

// The phase protocol in one place: what a rank is asked in each phase (a PhaseRequest, carried by RunPhase) and what it
// answers (a PhaseResult, carried by PhaseDone). PhaseProtocol.Answers says which results answer which phase; the rank
// (TrainingRankActor.Execute), the supervisor (TrainingSupervisor.Completed) and the codec each go by the types below.

/// <summary>What a rank is asked to do in one phase: one record per phase (see <see cref="TrainingPhase"/>).</summary>
/// <param name="Phase">The phase this request runs.</param>
public abstract record PhaseRequest(TrainingPhase Phase) : ILayersMessage;

/// <summary>Report your collective endpoint (<see cref="TrainingPhase.Connect"/>).</summary>
public sealed record ConnectRequest() : PhaseRequest(TrainingPhase.Connect)
{
    /// <summary>The one instance.</summary>
    public static ConnectRequest Instance { get; } = new();
}

/// <summary>Draw the step's batch (<see cref="TrainingPhase.Batch"/>).</summary>
public sealed record BatchRequest() : PhaseRequest(TrainingPhase.Batch)
{
    /// <summary>The one instance.</summary>
    public static BatchRequest Instance { get; } = new();
}

/// <summary>Run the model forward (<see cref="TrainingPhase.Forward"/>).</summary>
public sealed record ForwardRequest() : PhaseRequest(TrainingPhase.Forward)
{
    /// <summary>The one instance.</summary>
    public static ForwardRequest Instance { get; } = new();
}

/// <summary>Compute the loss and its gradient (<see cref="TrainingPhase.Loss"/>).</summary>
public sealed record LossRequest() : PhaseRequest(TrainingPhase.Loss)
{
    /// <summary>The one instance.</summary>
    public static LossRequest Instance { get; } = new();
}

/// <summary>Run the model backward (<see cref="TrainingPhase.Backward"/>).</summary>
public sealed record BackwardRequest() : PhaseRequest(TrainingPhase.Backward)
{
    /// <summary>The one instance.</summary>
    public static BackwardRequest Instance { get; } = new();
}

/// <summary>
/// Update the shards (<see cref="TrainingPhase.Optimizer"/>); when <paramref name="Snapshot"/> is set, write the snapshot
/// in the same pass, into its buffer when it lends one.
/// </summary>
public sealed record OptimizerRequest(SnapshotInto? Snapshot) : PhaseRequest(TrainingPhase.Optimizer);

/// <summary>Hand over (or keep on this host) the snapshot of the step, written into <paramref name="Into"/>'s buffer when it lends one (<see cref="TrainingPhase.Snapshot"/>).</summary>
public sealed record SnapshotRequest(SnapshotInto Into) : PhaseRequest(TrainingPhase.Snapshot);

/// <summary>Measure the mean loss of held-out batches 1 … <paramref name="Batches"/> (<see cref="TrainingPhase.Evaluate"/>).</summary>
public sealed record EvaluateRequest(int Batches) : PhaseRequest(TrainingPhase.Evaluate);

/// <summary>Hand over the final state (<see cref="TrainingPhase.Gather"/>).</summary>
public sealed record GatherRequest() : PhaseRequest(TrainingPhase.Gather)
{
    /// <summary>The one instance.</summary>
    public static GatherRequest Instance { get; } = new();
}

/// <summary>What a rank answers when its part of a phase is done: one record per kind of answer.</summary>
public abstract record PhaseResult : ILayersMessage;

/// <summary>The phase is done and there is nothing to tell (join, batch, forward, backward, optimizer).</summary>
public sealed record PhaseCompleted : PhaseResult
{
    /// <summary>The one instance.</summary>
    public static PhaseCompleted Instance { get; } = new();
}

/// <summary>The rank's collective endpoint (connect).</summary>
public sealed record EndpointReported(CollectiveEndpoint Endpoint) : PhaseResult;

/// <summary>The step's loss, or the held-out batches' mean loss, the same bits on every rank (loss, evaluate).</summary>
public sealed record LossComputed(double Loss) : PhaseResult;

/// <summary>The rank's state, which now belongs to the supervisor (snapshot in one process, gather).</summary>
public sealed record StateHandedOver(ShardState State) : PhaseResult;

/// <summary>The rank's state on its way on the bulk lane (snapshot or gather with the supervisor in another process).</summary>
public sealed record StateOnBulkLane(BulkLaneTicket Ticket) : PhaseResult;

/// <summary>
/// The rank kept its snapshot of step <paramref name="Step"/> on its own host, and the copy of step
/// <paramref name="Replicated"/> is now kept by its buddy's host too (-1: no copy was confirmed this time; the step itself
/// when the copy was made in the phase, or no copy is needed) (snapshot).
/// </summary>
public sealed record SnapshotKept(long Step, long Replicated) : PhaseResult;

/// <summary>A rank wrote its checkpoint file: its name, digest, and each tensor's name, axis and shard shape (checkpoint).</summary>
public sealed record ShardFileWritten(string FileName, FileDigest Digest, IReadOnlyList<(string Name, ShardAxis Axis, int[] Shape)> Layout) : PhaseResult;

/// <summary>Which results answer which phase.</summary>
public static class PhaseProtocol
{
    /// <summary>Whether <paramref name="result"/> is an answer to <paramref name="phase"/>.</summary>
    public static bool Answers(TrainingPhase phase, PhaseResult result) => phase switch
    {
        TrainingPhase.Connect => result is EndpointReported,
        TrainingPhase.Loss or TrainingPhase.Evaluate => result is LossComputed,
        TrainingPhase.Snapshot => result is StateHandedOver or StateOnBulkLane or SnapshotKept,
        TrainingPhase.Checkpoint => result is ShardFileWritten,
        TrainingPhase.Gather => result is StateHandedOver or StateOnBulkLane,
        _ => result is PhaseCompleted,
    };
}
