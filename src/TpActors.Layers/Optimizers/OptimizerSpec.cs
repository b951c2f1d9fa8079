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
    }

    /// <summary>A fresh optimizer with zero state for <paramref name="parameters"/>, updating them on <paramref name="backend"/>.</summary>
    public Optimizer Create(Tensors.IBackend backend, IReadOnlyList<Sharding.ParameterShard> parameters) => Kind switch
    {
        OptimizerKind.Sgd => new SgdMomentum(backend, parameters, this),
        _ => new AdamW(backend, parameters, this),
    };
}
