using TpActors.Layers.Optimizers;
using TpActors.Layers.Checkpoints;
using TpActors.Layers.Ranks;
namespace TpActors.Layers.Training;

/// <summary>
/// The phases the training supervisor runs on every rank, in order: the setup phases (connect, join) after a start or a
/// recovery, the step phases (batch … snapshot) once per step, a checkpoint every K steps, an evaluation on held-out data
/// every E steps, and gather at the end.
/// </summary>
public enum TrainingPhase
{
    /// <summary>Each rank reports its collective endpoint.</summary>
    Connect,

    /// <summary>Each rank joins the (re-formed) group, building its shards from the seed or restoring them from a state.</summary>
    Join,

    /// <summary>Each rank draws the step's inputs and targets from its model's batch source (the same on every rank) and zeroes its gradients.</summary>
    Batch,

    /// <summary>Forward through the model (for the residual MLP stack, one all-reduce per block).</summary>
    Forward,

    /// <summary>The model's loss and its gradient, on every rank alike.</summary>
    Loss,

    /// <summary>Backward through the model in reverse (for the residual MLP stack, one all-reduce per block).</summary>
    Backward,

    /// <summary>The optimizer updates each rank's shards and state.</summary>
    Optimizer,

    /// <summary>Each rank copies its state into the supervisor's in-memory snapshot.</summary>
    Snapshot,

    /// <summary>Each rank writes its shard file of an on-disk checkpoint.</summary>
    Checkpoint,

    /// <summary>Each rank hands over its final state.</summary>
    Gather,

    /// <summary>Each rank measures the loss on the held-out batches (forward only; nothing it holds changes).</summary>
    Evaluate,
}

/// <summary>Names of <see cref="TrainingPhase"/> as written on the command line and in reports.</summary>
public static class TrainingPhases
{
    /// <summary>The phases a fault can be injected into.</summary>
    public static IReadOnlyList<TrainingPhase> Injectable { get; } =
        [TrainingPhase.Batch, TrainingPhase.Forward, TrainingPhase.Loss, TrainingPhase.Backward, TrainingPhase.Optimizer, TrainingPhase.Snapshot, TrainingPhase.Checkpoint,
            TrainingPhase.Evaluate];

    /// <summary>The phase in lower case, e.g. "backward".</summary>
    public static string Name(TrainingPhase phase) => phase.ToString().ToLowerInvariant();
}
