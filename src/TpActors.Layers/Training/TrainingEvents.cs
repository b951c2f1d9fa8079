namespace TpActors.Layers.Training;

/// <summary>
/// What a <see cref="TrainingSupervisor"/> publishes on its actor system's EventStream: the CLI's progress bar subscribes,
/// and so can a dashboard or a test; the supervisor does not know who listens. <paramref name="Run"/> is the supervisor's
/// name, so that listeners of one system can tell runs apart.
/// </summary>
public abstract record TrainingEvent(string Run);

/// <summary>A step was committed: every rank applied its update.</summary>
public sealed record StepCommitted(string Run, TrainingProgress Progress) : TrainingEvent(Run);

/// <summary>
/// A rank's part of a phase round, as the rank timed it: from <paramref name="StartedUtcTicks"/> (its wall clock, UTC) for
/// <paramref name="ElapsedTicks"/>; <paramref name="Host"/> is the cluster host it ran on, or null in this process;
/// <paramref name="Profile"/> is its GEMM work and collectives (empty when the rank recorded none).
/// </summary>
public sealed record PhaseTimed(string Run, int Rank, string? Host, PhaseRound Round, long StartedUtcTicks, long ElapsedTicks, PhaseProfile Profile) : TrainingEvent(Run);

/// <summary>The held-out batches were measured after a committed step: their mean loss.</summary>
public sealed record StepEvaluated(string Run, long Step, double ValidationLoss) : TrainingEvent(Run);

/// <summary>A rank failure was detected; the recovery from it begins.</summary>
public sealed record RankRecovering(string Run, Recovery Recovery) : TrainingEvent(Run);

/// <summary>The group runs again: <paramref name="Recoveries"/> (one incident) are resolved, their recovery time and time lost known.</summary>
public sealed record RecoveryResolved(string Run, IReadOnlyList<Recovery> Recoveries) : TrainingEvent(Run);

/// <summary>A rank of a lost host was placed on <paramref name="Host"/>'s slot <paramref name="Slot"/> (it restores there).</summary>
public sealed record RankPlaced(string Run, int Rank, string Host, int Slot) : TrainingEvent(Run);

/// <summary>
/// Akka.Cluster marked <paramref name="Host"/> unreachable (its <paramref name="Ranks"/> wait for the verdict: removed, they
/// are placed elsewhere), or reachable again before that (its <paramref name="Ranks"/> start where they were).
/// </summary>
public sealed record HostReachability(string Run, string Host, bool Reachable, IReadOnlyList<int> Ranks) : TrainingEvent(Run);

/// <summary>A checkpoint directory is complete.</summary>
public sealed record CheckpointCommitted(string Run, string Directory) : TrainingEvent(Run);

/// <summary>Published by a rank when an injected fault fires, before the rank acts on it (a test's cue that a hang has begun).</summary>
public sealed record FaultInjected(int Rank, FaultSpec Fault);
