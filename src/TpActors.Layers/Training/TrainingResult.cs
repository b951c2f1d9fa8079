namespace TpActors.Layers.Training;

/// <summary>Why a rank needed recovering.</summary>
public enum FailureKind
{
    /// <summary>It threw; its supervision restarted it.</summary>
    Threw,

    /// <summary>It did not answer in time; it was stopped and replaced.</summary>
    Hung,

    /// <summary>Its actor stopped (DeathWatch); it was replaced.</summary>
    Stopped,

    /// <summary>
    /// Its host was removed from the cluster (or stayed unreachable past the verdict window) before anything else was noticed
    /// of it; it was placed on another host's slot.
    /// </summary>
    Lost,

    /// <summary>
    /// A peer's bulk-lane connection from it broke, the first sign of its host dying: it was stopped, and then placed
    /// elsewhere (Akka.Cluster removed its host) or started where it was (its host stayed, or became, reachable).
    /// </summary>
    Disconnected,

    /// <summary>
    /// Akka.Cluster marked its host unreachable: it was stopped, and then placed elsewhere (the split-brain resolver downed
    /// and removed the host) or started where it was, from its own snapshot (the host was reachable again first).
    /// </summary>
    Unreachable,
}

/// <summary>One recovery: which rank failed where, why, and what it cost.</summary>
/// <param name="Rank">The rank that failed.</param>
/// <param name="Step">The step it failed in.</param>
/// <param name="Phase">The phase it failed in.</param>
/// <param name="Kind">How it failed.</param>
/// <param name="Cause">The failure in words.</param>
public sealed record Recovery(int Rank, long Step, TrainingPhase Phase, FailureKind Kind, string Cause)
{
    /// <summary>From the failure being noticed to the group running again (re-formed, state restored).</summary>
    public TimeSpan RecoveryTime { get; set; }

    /// <summary>
    /// Work thrown away plus recovery: from the start of the aborted step (or action) to the group running again, less any
    /// part an earlier recovery already counts. Recoveries of one incident share their time, so the sum is the run's loss.
    /// </summary>
    public TimeSpan TimeLost { get; set; }

    /// <summary>The incident it belongs to, from 1: failures recovered from by the same re-forming of the group share one; 0 while unresolved.</summary>
    public int Incident { get; set; }

    /// <inheritdoc/>
    public override string ToString() => $"rank {Rank}, step {Step}, {TrainingPhases.Name(Phase)}: {Cause}";
}

/// <summary>Progress after a committed step.</summary>
public sealed record TrainingProgress(long Step, long Steps, long StartStep, double Loss, TimeSpan Elapsed, int Recoveries);

/// <summary>What a finished run reports.</summary>
/// <param name="StartStep">The step it started after (0, or the resumed checkpoint's).</param>
/// <param name="Steps">The last step applied.</param>
/// <param name="Losses">The loss of each step from StartStep + 1, as computed before its update.</param>
/// <param name="Recoveries">Every recovery, in order.</param>
/// <param name="WeightsSha256">SHA-256 of the full gathered weights (see <see cref="WeightsDigest"/>).</param>
/// <param name="Wall">Wall time of the run, start to gather.</param>
/// <param name="Backend">The ranks' backend in words.</param>
/// <param name="Checkpoints">Checkpoint directories written, in order.</param>
/// <param name="FinalState">The full final state by tensor name (weights and optimizer state), when asked for; the receiver owns it.</param>
public sealed record TrainingResult(long StartStep, long Steps, IReadOnlyList<double> Losses, IReadOnlyList<Recovery> Recoveries,
    string WeightsSha256, TimeSpan Wall, string Backend, IReadOnlyList<string> Checkpoints, IReadOnlyDictionary<string, Tensors.Tensor>? FinalState)
{
    /// <summary>The checkpoint the run resumed from, or null when it started from the seed.</summary>
    public ResumedFrom? Resumed { get; init; }

    /// <summary>Whether the run was stopped (<see cref="StopAfterStep"/>) before the last step it was asked for.</summary>
    public bool Stopped { get; init; }

    /// <summary>The held-out loss after each evaluated step, in order of step.</summary>
    public IReadOnlyList<ValidationLoss> Validation { get; init; } = [];

    /// <summary>The last step's loss, or NaN when no step ran.</summary>
    public double FinalLoss => Losses.Count == 0 ? double.NaN : Losses[^1];

    /// <summary>The time lost to all recoveries together.</summary>
    public TimeSpan TimeLost => Recoveries.Aggregate(TimeSpan.Zero, (sum, r) => sum + r.TimeLost);
}

/// <summary>The mean loss of the held-out batches after step <paramref name="Step"/>.</summary>
public sealed record ValidationLoss(long Step, double Loss);

/// <summary>The checkpoint a run resumed from: its step directory, its step, and the TP size it was written at.</summary>
public sealed record ResumedFrom(string Directory, long Step, int Tp);

/// <summary>A run stopped before its last step: too many failures, or a failure nothing could be restored from.</summary>
public sealed class TrainingFailedException(string message, IReadOnlyList<Recovery> recoveries, string? lastCheckpoint, Exception? cause = null)
    : Exception(message, cause)
{
    /// <summary>Every failure, the last one included.</summary>
    public IReadOnlyList<Recovery> Recoveries { get; } = recoveries;

    /// <summary>The newest complete checkpoint on disk, or null.</summary>
    public string? LastCheckpoint { get; } = lastCheckpoint;
}
