using TpActors.Runtime.Configuration;

namespace TpActors.Layers.Training;

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
    public static TrainingSettings FromConfig(HoconConfig config)
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
        SettingRules.Require("tpactors.training.phase-timeout", PhaseTimeout);
        SettingRules.Require("tpactors.training.collective-timeout", CollectiveTimeout);
        if (CollectiveTimeout >= PhaseTimeout)
            throw new ArgumentException($"tpactors.training.collective-timeout ({ConfigUnits.FormatDuration(CollectiveTimeout)}) must be shorter than phase-timeout ({ConfigUnits.FormatDuration(PhaseTimeout)}), so a rank stuck in a collective can name the silent peer before the phase times out.");
        SettingRules.Require("tpactors.training.max-retries", MaxRetries);
        SettingRules.Require("tpactors.training.retry-window", RetryWindow);
        SettingRules.Require("tpactors.training.snapshot-every", SnapshotEvery);
        SettingRules.Require("tpactors.training.checkpoint-keep", CheckpointKeep);
    }
}
