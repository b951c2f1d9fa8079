using TpActors.Runtime.Configuration;
using TpActors.Layers.Sharding;
namespace TpActors.Layers.Optimizers;

/// <summary>An optimizer and its hyperparameters (defaults under <c>tpactors.training</c> in reference.conf).</summary>
/// <param name="Kind">SGD with momentum or AdamW.</param>
/// <param name="LearningRate">The step size.</param>
/// <param name="Momentum">SGD's momentum μ.</param>
/// <param name="Beta1">AdamW's first-moment decay.</param>
/// <param name="Beta2">AdamW's second-moment decay.</param>
/// <param name="Epsilon">AdamW's denominator guard.</param>
/// <param name="WeightDecay">SGD: L2 added to the gradient; AdamW: decoupled, <c>w −= lr·λ·w</c>.</param>
public sealed record OptimizerSpec(OptimizerKind Kind, float LearningRate, float Momentum, float Beta1, float Beta2, float Epsilon, float WeightDecay)
{
    /// <summary>Steps over which the learning rate rises linearly to <see cref="LearningRate"/> (nanoGPT's warm-up); 0: none.</summary>
    public long WarmupSteps { get; init; }

    /// <summary>The step at which the cosine decay after the warm-up reaches <see cref="MinLearningRate"/> (and stays); 0: no decay.</summary>
    public long DecaySteps { get; init; }

    /// <summary>Where the cosine decay ends.</summary>
    public float MinLearningRate { get; init; }

    /// <summary>Gradients are scaled down so that their global norm (over every rank's shards) is at most this; 0: no clipping.</summary>
    public float GradientClip { get; init; }

    /// <summary>
    /// The learning rate of update <paramref name="step"/> (from 1), as nanoGPT's get_lr with it = step − 1: lr·step/(warm-up + 1)
    /// while warming up, then min + ½(1 + cos(π·r))·(lr − min) for r from 0 to 1 until <see cref="DecaySteps"/>, then min.
    /// Without warm-up or decay it is <see cref="LearningRate"/> itself, bit for bit.
    /// </summary>
    public float LearningRateAt(long step)
    {
        long it = step - 1;
        if (it < WarmupSteps) return (float)(LearningRate * (double)(it + 1) / (WarmupSteps + 1));
        if (DecaySteps <= 0) return LearningRate;
        if (it > DecaySteps) return MinLearningRate;
        double ratio = (it - WarmupSteps) / (double)Math.Max(1, DecaySteps - WarmupSteps);
        return (float)(MinLearningRate + 0.5 * (1 + Math.Cos(Math.PI * ratio)) * (LearningRate - MinLearningRate));
    }

    /// <summary>The name used on the command line and in checkpoints: "sgd" or "adamw".</summary>
    public string Name => KindName(Kind);

    /// <summary>The state tensors kept per parameter, by the names PyTorch gives them.</summary>
    public IReadOnlyList<string> SlotNames => Kind == OptimizerKind.Sgd ? ["momentum_buffer"] : ["exp_avg", "exp_avg_sq"];

    /// <summary>Whether <paramref name="tensorName"/> names an optimizer state tensor ("….exp_avg") rather than a parameter.</summary>
    public bool IsSlot(string tensorName) => SlotNames.Any(slot => tensorName.EndsWith("." + slot, StringComparison.Ordinal));

    /// <summary>"sgd" or "adamw".</summary>
    public static string KindName(OptimizerKind kind) => kind == OptimizerKind.Sgd ? "sgd" : "adamw";

    /// <summary>The kind named <paramref name="name"/> (sgd or adamw).</summary>
    public static OptimizerKind ParseKind(string name) => name switch
    {
        "sgd" => OptimizerKind.Sgd,
        "adamw" => OptimizerKind.AdamW,
        _ => throw new ArgumentException($"Unknown optimizer '{name}'; use sgd or adamw."),
    };

    /// <summary>Refuses hyperparameters outside their range, naming the one that is wrong.</summary>
    public void Validate()
    {
        if (!float.IsFinite(LearningRate)) throw new ArgumentException($"--lr {LearningRate}: the learning rate must be a finite number.");
        SettingRules.Require("tpactors.training.lr", LearningRate, "--lr");
        SettingRules.Require("tpactors.training.momentum", Momentum);
        SettingRules.Require("tpactors.training.beta1", Beta1);
        SettingRules.Require("tpactors.training.beta2", Beta2);
        SettingRules.Require("tpactors.training.epsilon", Epsilon);
        if (!float.IsFinite(WeightDecay)) throw new ArgumentException($"tpactors.training.weight-decay is {WeightDecay}; it must be a finite number.");
        SettingRules.Require("tpactors.training.weight-decay", WeightDecay);
        SettingRules.Require("tpactors.training.warmup-steps", WarmupSteps, "--warmup-steps");
        SettingRules.Require("tpactors.training.lr-decay-steps", DecaySteps, "--lr-decay-steps");
        SettingRules.Require("tpactors.training.min-lr", MinLearningRate, "--min-lr");
        SettingRules.Require("tpactors.training.grad-clip", GradientClip, "--grad-clip");
        if (DecaySteps > 0 && DecaySteps <= WarmupSteps)
            throw new ArgumentException($"--lr-decay-steps {DecaySteps} must be after the warm-up's {WarmupSteps} steps (or 0 for no decay).");
        if (MinLearningRate > LearningRate)
            throw new ArgumentException($"--min-lr {MinLearningRate} is above --lr {LearningRate}: the decay would raise the learning rate.");
    }

    /// <summary>
    /// A fresh optimizer with zero state for <paramref name="parameters"/>, updating them on <paramref name="backend"/>; weight
    /// decay applies to those <paramref name="decays"/> picks (all when null).
    /// </summary>
    public Optimizer Create(Tensors.IBackend backend, IReadOnlyList<Sharding.ParameterShard> parameters, Func<string, bool>? decays = null) => Kind switch
    {
        OptimizerKind.Sgd => new SgdMomentum(backend, parameters, this, decays),
        _ => new AdamW(backend, parameters, this, decays),
    };
}
