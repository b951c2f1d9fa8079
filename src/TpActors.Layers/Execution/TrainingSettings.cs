using TpActors.Runtime.Configuration;

namespace TpActors.Layers.Execution;

/// <summary>How the training supervisor watches over a run (<c>tpactors.training</c> in reference.conf).</summary>
/// <param name="PhaseTimeout">How long a phase may take on every rank before the ranks that have not answered count as hung.</param>
/// <param name="CollectiveTimeout">The ranks' collective round timeout during training: a rank waiting longer names the silent peer.</param>
/// <param name="MaxRetries">Recoveries allowed within <paramref name="RetryWindow"/>; one more failure stops the run.</param>
/// <param name="RetryWindow">The window recoveries are counted in.</param>
/// <param name="SnapshotEvery">Take the in-memory snapshot every this many steps; 0 turns snapshots (and recovery after the first step) off.</param>
/// <param name="CheckpointKeep">Complete on-disk checkpoints kept; 0 keeps all.</param>
public sealed record TrainingSettings(TimeSpan PhaseTimeout, TimeSpan CollectiveTimeout, int MaxRetries, TimeSpan RetryWindow, int SnapshotEvery, int CheckpointKeep)
{
    /// <summary>Reads the settings, naming the one that is wrong.</summary>
    public static TrainingSettings FromConfig(Config config)
    {
        var settings = new TrainingSettings(
            config.GetDuration("tpactors.training.phase-timeout"),
            config.GetDuration("tpactors.training.collective-timeout"),
            config.GetInt("tpactors.training.max-retries"),
            config.GetDuration("tpactors.training.retry-window"),
            config.GetInt("tpactors.training.snapshot-every"),
            config.GetInt("tpactors.training.checkpoint-keep"));
        settings.Validate();
        return settings;
    }

    /// <summary>The defaults of reference.conf.</summary>
    public static TrainingSettings Default { get; } = FromConfig(ConfigFactory.Reference);

    /// <summary>Refuses values outside their range, naming the setting.</summary>
    public void Validate()
    {
        if (PhaseTimeout <= TimeSpan.Zero) throw new ArgumentException($"tpactors.training.phase-timeout must be positive, not {PhaseTimeout}.");
        if (CollectiveTimeout <= TimeSpan.Zero || CollectiveTimeout >= PhaseTimeout)
            throw new ArgumentException($"tpactors.training.collective-timeout ({CollectiveTimeout.TotalSeconds:0.###}s) must be positive and shorter than phase-timeout ({PhaseTimeout.TotalSeconds:0.###}s), so a rank stuck in a collective can name the silent peer before the phase times out.");
        if (MaxRetries < 0) throw new ArgumentException($"tpactors.training.max-retries must be 0 or more, not {MaxRetries}.");
        if (RetryWindow <= TimeSpan.Zero) throw new ArgumentException($"tpactors.training.retry-window must be positive, not {RetryWindow}.");
        if (SnapshotEvery < 0) throw new ArgumentException($"tpactors.training.snapshot-every must be 0 (off) or more, not {SnapshotEvery}.");
        if (CheckpointKeep < 0) throw new ArgumentException($"tpactors.training.checkpoint-keep must be 0 (all) or more, not {CheckpointKeep}.");
    }
}
