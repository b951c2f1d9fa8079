using System.Text.Json.Serialization;
using TpActors.Layers.Parallel;
using TpActors.Runtime.Configuration;
using TpActors.Layers.Data;
using TpActors.Layers.Tensors;

namespace TpActors.Layers.Models;

/// <summary>A stack of <paramref name="Layers"/> residual MLP blocks of width <paramref name="Hidden"/> (<see cref="ResidualMlpStack"/>), trained on the synthetic task with MSE.</summary>
/// <param name="Layers">Residual blocks, at least 1.</param>
/// <param name="Hidden">The model width (input and output features of every block).</param>
/// <param name="Ffn">The inner width of each block's MLP.</param>
/// <param name="Activation">The MLPs' nonlinearity.</param>
/// <param name="Bias">Whether the linears have biases.</param>
public sealed record MlpStackSpec(int Layers, int Hidden, int Ffn,
    [property: JsonConverter(typeof(ActivationNameConverter))] Activation Activation = Activation.Gelu, bool Bias = true) : ModelSpec
{
    /// <summary>Its kind in checkpoints and messages (a checkpoint without a kind holds one).</summary>
    public const string KindName = "mlp-stack";

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <summary>The stack <c>tpactors.training</c> in <paramref name="config"/> describes.</summary>
    public static MlpStackSpec FromConfig(HoconConfig config) =>
        new(config.GetInt("tpactors.training.layers"), config.GetInt("tpactors.training.hidden"), config.GetInt("tpactors.training.ffn"),
            ActivationNames.Parse(config.GetString("tpactors.training.activation"), "tpactors.training.activation"),
            config.GetBoolean("tpactors.training.bias"));

    /// <inheritdoc/>
    public override int Features => Hidden;

    /// <inheritdoc/>
    public override long ParameterCount => Layers * (2L * Hidden * Ffn + (Bias ? Ffn + Hidden : 0));

    /// <inheritdoc/>
    public override string Widths => $"hidden {Hidden}, ffn {Ffn}";

    /// <inheritdoc/>
    public override string Sizes => $"{Layers} layers, {Widths}";

    /// <inheritdoc/>
    public override string Summary => $"{Sizes}, {ActivationNames.Name(Activation)}{(Bias ? ", bias" : "")}";

    /// <inheritdoc/>
    public override void Validate()
    {
        SettingRules.Require("tpactors.training.layers", Layers, "--layers");
        SettingRules.Require("tpactors.training.hidden", Hidden, "--hidden");
        SettingRules.Require("tpactors.training.ffn", Ffn, "--ffn");
    }

    /// <summary>
    /// The full shape of the block weight named <paramref name="tensor"/> (or of one of its optimizer slots, named after it),
    /// e.g. [hidden, ffn] for "blocks.0.fc1.weight"; null for a bias or a name that is not a block weight.
    /// </summary>
    public override int[]? WeightShape(string tensor)
    {
        var parts = tensor.Split('.');
        if (parts.Length < 4 || parts[0] != "blocks" || parts[3] != "weight") return null;
        return parts[2] switch
        {
            "fc1" => [Hidden, Ffn],
            "fc2" => [Ffn, Hidden],
            _ => null,
        };
    }

    /// <inheritdoc/>
    public override bool IsLinearWeight(string parameter) => parameter.EndsWith(".fc1.weight", StringComparison.Ordinal) || parameter.EndsWith(".fc2.weight", StringComparison.Ordinal);

    /// <inheritdoc/>
    public override IModel Build(ParallelContext context, long seed) => new ResidualMlpStack(context, this, seed);

    /// <inheritdoc/>
    public override void Budget(MemoryBudget budget, double perWeight, TaskSpec task) => budget
        .Add("fc1.weight", Hidden, Ffn, perWeight * Layers)
        .Add("fc2.weight", Ffn, Hidden, perWeight * Layers)
        .Add("the inner activations", task.Batch, Ffn, 3.0 * Layers)
        .Add("the block outputs", task.Batch, Hidden, 3.0 * Layers + 4)
        .Add("the teacher", Hidden, task.TeacherWidth, 2);

    /// <summary>Layout version 1 wrote "gelu" for the tanh form, which version 2 calls "gelu-tanh" ("gelu" is now the erf form, as PyTorch's).</summary>
    public override ModelSpec FromVersion(int version) => version == 1 && Activation == Activation.Gelu ? this with { Activation = Activation.GeluTanh } : this;

    /// <summary>The name of block <paramref name="layer"/>'s parameters, e.g. "blocks.0".</summary>
    public static string BlockName(int layer) => $"blocks.{layer}";
}
