using TpActors.Layers.Tensors;
using TpActors.Runtime.Cluster;
using TpActors.Runtime.Configuration;
using TpActors.Layers.Models;
using TpActors.Layers.Data;
using TpActors.Layers.Optimizers;
using TpActors.Layers.Checkpoints;
using TpActors.Layers.Ranks;

namespace TpActors.Layers.Training;

/// <summary>One training run: group size, model, task, optimizer, how far to train, checkpoints, injected faults and settings.</summary>
/// <param name="Tp">Ranks in the tensor-parallel group.</param>
/// <param name="Model">The model.</param>
/// <param name="Task">The synthetic task (batch, seed, teacher).</param>
/// <param name="Optimizer">The optimizer.</param>
/// <param name="Steps">Train until this step (counted from the start, also when resuming).</param>
public sealed record TrainingOptions(int Tp, ModelSpec Model, TaskSpec Task, OptimizerSpec Optimizer, long Steps)
{
    /// <summary>Where checkpoints go; null for none.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Write a checkpoint every this many steps (and after the last step); 0: only after the last step.</summary>
    public int CheckpointEvery { get; init; }

    /// <summary>A checkpoint to resume from (a checkpoint directory or one step directory); null to start from the seed.</summary>
    public string? ResumeFrom { get; init; }

    /// <summary>Faults to inject.</summary>
    public IReadOnlyList<FaultSpec> Faults { get; init; } = [];

    /// <summary>Timeouts, retries and snapshot policy.</summary>
    public TrainingSettings Settings { get; init; } = TrainingSettings.Default;

    /// <summary>How the ranks run (backend, threads, collectives).</summary>
    public RankSettings Ranks { get; init; } = RankSettings.Default;

    /// <summary>Where each rank runs on a cluster's hosts (leased by the driver, see <see cref="SlotLease"/>); null: all in this process.</summary>
    public IReadOnlyList<SlotAssignment>? Placement { get; init; }

    /// <summary>Finds slots for the ranks of a lost host (the job's <see cref="SlotLease"/>); null: a lost host ends the run.</summary>
    public IRankPlacer? Placer { get; init; }

    /// <summary>Measure the held-out loss every this many steps (and after the last); 0: only after the last.</summary>
    public int EvalEvery { get; init; }

    /// <summary>Held-out batches per evaluation; 0: no evaluation.</summary>
    public int EvalBatches { get; init; }

    /// <summary>Whether the held-out loss is measured after step <paramref name="step"/>.</summary>
    public bool EvaluationDue(long step) => EvalBatches > 0 && (step == Steps || (EvalEvery > 0 && step % EvalEvery == 0));

    /// <summary>Whether the result carries the full final state (weights and optimizer state), for comparisons.</summary>
    public bool KeepFinalState { get; init; }

    /// <summary>The run described by <c>tpactors.training</c> in <paramref name="config"/>, with its settings.</summary>
    public static TrainingOptions FromConfig(HoconConfig config) => FromConfig(config, config.GetString("tpactors.training.model"));

    /// <summary>
    /// The run described by <c>tpactors.training</c> in <paramref name="config"/> for a model of kind <paramref name="kind"/>:
    /// a GPT takes its batch and evaluation settings from <c>tpactors.training.gpt</c>.
    /// </summary>
    public static TrainingOptions FromConfig(HoconConfig config, string kind)
    {
        var model = ModelKinds.FromConfig(config, kind);
        string section = model is GptModelSpec ? "tpactors.training.gpt" : "tpactors.training";
        return FromConfig(config, model, section);
    }

    // The run from `section`'s settings where it has them (a GPT's batch, evaluation and optimizer), else tpactors.training's.
    private static TrainingOptions FromConfig(HoconConfig config, ModelSpec model, string section)
    {
        string Key(string name) => config.HasPath($"{section}.{name}") ? $"{section}.{name}" : $"tpactors.training.{name}";
        return new(
            config.GetInt("tpactors.training.tp"),
            model,
            new TaskSpec(config.GetInt(Key("batch")), config.GetLong("tpactors.training.seed"), config.GetInt("tpactors.training.teacher-width")),
            new OptimizerSpec(OptimizerSpec.ParseKind(config.GetString("tpactors.training.optimizer")),
                config.GetSingle(Key("lr")), config.GetSingle("tpactors.training.momentum"),
                config.GetSingle("tpactors.training.beta1"), config.GetSingle(Key("beta2")),
                config.GetSingle("tpactors.training.epsilon"), config.GetSingle(Key("weight-decay")))
            {
                WarmupSteps = config.GetLong(Key("warmup-steps")),
                DecaySteps = config.GetLong(Key("lr-decay-steps")),
                MinLearningRate = config.GetSingle(Key("min-lr")),
                GradientClip = config.GetSingle(Key("grad-clip")),
            },
            config.GetLong("tpactors.training.steps"))
        {
            CheckpointEvery = config.GetInt("tpactors.training.checkpoint-every"),
            EvalEvery = config.GetInt(Key("eval-every")),
            EvalBatches = config.GetInt(Key("eval-batches")),
            Settings = TrainingSettings.FromConfig(config),
            Ranks = RankSettings.FromConfig(config),
        };
    }

    /// <summary>The bytes a run is estimated to hold at its peak (what <see cref="Validate"/> holds to the machine's memory).</summary>
    public double MemoryEstimateBytes => Memory().Bytes;

    // The tensors a run holds at once, per weight: itself, its gradient and optimizer slots, two in-memory snapshots of all
    // three, and the full copy gathered at the end; writing checkpoints, a state's worth of staging and one buffer more;
    // resuming, the checkpoint's files read whole, the tensors parsed from them, assembled and cut (two states' worth
    // and one more at once); per layer the saved activations. Held to peaks measured with `train --json` ("memory").
    private MemoryBudget Memory()
    {
        int state = 1 + Optimizer.SlotNames.Count; // a weight and its optimizer slots
        double perWeight = 1 + state + 3 * state + (CheckpointDirectory is null ? 0 : state + 1) + (ResumeFrom is null ? 0 : 2 * state + 1);
        var budget = new MemoryBudget($"A model of {Model.Sizes}, at batch {Task.Batch},");
        Model.Budget(budget, perWeight, Task);
        return budget;
    }

    /// <summary>Refuses a run that cannot be made, naming what is wrong; <paramref name="onCluster"/>: its ranks will run on a cluster's hosts (as with a placement).</summary>
    public void Validate(bool onCluster = false)
    {
        SettingRules.Require("tpactors.training.tp", Tp, "--tp");
        SettingRules.Require("tpactors.training.steps", Steps, "--steps");
        SettingRules.Require("tpactors.training.checkpoint-every", CheckpointEvery, "--checkpoint-every");
        SettingRules.Require("tpactors.training.eval-every", EvalEvery, "--eval-every");
        SettingRules.Require("tpactors.training.eval-batches", EvalBatches, "--eval-batches");
        Model.Validate();
        Model.ValidateSplit(Tp);
        Task.Validate();
        Optimizer.Validate();
        Settings.Validate();
        Memory().Check();
        if (Placement is { } placement && placement.Count != Tp)
            throw new ArgumentException($"The placement has {placement.Count} ranks; the run has {Tp} (--tp).");
        if ((onCluster || Placement is not null) && Faults.FirstOrDefault(f => f.Kind == FaultKind.Hang) is { } hang)
            throw new ArgumentException($"--fault {hang}: a hang is released when its run ends in the same process; on a cluster's host freeze the process instead (kill -STOP).");
        foreach (var fault in Faults)
        {
            if (fault.Rank >= Tp) throw new ArgumentException($"--fault {fault}: rank {fault.Rank} does not exist with --tp {Tp}.");
            if (fault.Step > Steps) throw new ArgumentException($"--fault {fault}: step {fault.Step} is after the last step, {Steps} (--steps); it would never fire.");
            if (fault.Phase == TrainingPhase.Checkpoint && CheckpointDirectory is null)
                throw new ArgumentException($"--fault {fault}: there is no checkpoint phase without --checkpoint-dir.");
            if (fault.Phase == TrainingPhase.Evaluate && !EvaluationDue(fault.Step))
                throw new ArgumentException($"--fault {fault}: step {fault.Step} is not evaluated (--eval-every {EvalEvery}, --eval-batches {EvalBatches}); it would never fire.");
        }
    }
}
