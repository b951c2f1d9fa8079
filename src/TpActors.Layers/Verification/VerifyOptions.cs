using TpActors.Layers.Tensors;
using TpActors.Runtime.Configuration;

namespace TpActors.Layers.Verification;

/// <summary>What <c>tpactors verify</c> checks (defaults in <c>tpactors.verify</c>, mirroring the seed tutorial).</summary>
/// <param name="Tp">Ranks in the tensor-parallel group.</param>
/// <param name="Batch">Rows of the input.</param>
/// <param name="Hidden">Model width: the MLP's input and output features.</param>
/// <param name="Ffn">The MLP's inner width.</param>
/// <param name="Seed">Seed of the master weights and the inputs.</param>
/// <param name="Bias">Whether the linears have biases.</param>
/// <param name="Activation">The MLP's nonlinearity.</param>
/// <param name="Tolerance">Largest relative error (max abs error / max abs reference value) that passes.</param>
public sealed record VerifyOptions(int Tp, int Batch, int Hidden, int Ffn, long Seed, bool Bias, Activation Activation, double Tolerance)
{
    /// <summary>Reads <c>tpactors.verify</c>.</summary>
    public static VerifyOptions FromConfig(HoconConfig config) => new(
        config.GetInt("tpactors.verify.tp"),
        config.GetInt("tpactors.verify.batch"),
        config.GetInt("tpactors.verify.hidden"),
        config.GetInt("tpactors.verify.ffn"),
        config.GetLong("tpactors.verify.seed"),
        config.GetBoolean("tpactors.verify.bias"),
        ActivationNames.Parse(config.GetString("tpactors.verify.activation")),
        config.GetDouble("tpactors.verify.tolerance"));

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        SettingRules.Require("tpactors.verify.tp", Tp, "--tp");
        SettingRules.Require("tpactors.verify.batch", Batch, "--batch");
        SettingRules.Require("tpactors.verify.hidden", Hidden, "--hidden");
        SettingRules.Require("tpactors.verify.ffn", Ffn, "--ffn");
        SettingRules.Require("tpactors.verify.tolerance", Tolerance);
        Memory().Check();
    }

    /// <summary>The bytes a check is estimated to hold at its peak (what <see cref="Validate"/> holds to the machine's memory).</summary>
    public double MemoryEstimateBytes => Memory().Bytes;

    // The tensors a check holds at once: every layer's shards and gradients on the ranks (the three checks' layers stay),
    // their copies sent back and assembled, the tensor pool's arrays kept for reuse, and float64 references (two floats
    // each) of the weights, the activations and their gradients. Held to peaks measured with `verify --json` ("memory"):
    // 35 weights' worth at --hidden 1000000, 2.5x the activations' count here before at --batch 1000000.
    private MemoryBudget Memory() => new MemoryBudget($"--batch {Batch} --hidden {Hidden} --ffn {Ffn}")
        .Add("w1", Hidden, Ffn, 18)
        .Add("w2", Ffn, Hidden, 18)
        .Add("the MLP's inner activations", Batch, Ffn, 32)
        .Add("the input", Batch, Hidden, 40);
}
