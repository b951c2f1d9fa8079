using TpActors.Runtime.Configuration;
using TpActors.Layers.Tensors;

namespace TpActors.Layers.Models;

/// <summary>The shape of the trained model: <paramref name="Layers"/> residual MLP blocks of width <paramref name="Hidden"/>.</summary>
/// <param name="Layers">Residual blocks, at least 1.</param>
/// <param name="Hidden">The model width (input and output features of every block).</param>
/// <param name="Ffn">The inner width of each block's MLP.</param>
/// <param name="Activation">The MLPs' nonlinearity.</param>
/// <param name="Bias">Whether the linears have biases.</param>
public sealed record ModelSpec(int Layers, int Hidden, int Ffn, Activation Activation = Activation.Gelu, bool Bias = true)
{
    /// <summary>Refuses sizes that cannot make a model, naming the one that is wrong.</summary>
    public void Validate()
    {
        SettingRules.Require("tpactors.training.layers", Layers, "--layers");
        SettingRules.Require("tpactors.training.hidden", Hidden, "--hidden");
        SettingRules.Require("tpactors.training.ffn", Ffn, "--ffn");
    }

    /// <summary>Parameters of the full model.</summary>
    public long ParameterCount => Layers * (2L * Hidden * Ffn + (Bias ? Ffn + Hidden : 0));

    /// <summary>
    /// The full shape of the block weight named <paramref name="tensor"/> (or of one of its optimizer slots, named after it),
    /// e.g. [hidden, ffn] for "blocks.0.fc1.weight"; null for a bias or a name that is not a block weight.
    /// </summary>
    public int[]? WeightShape(string tensor)
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

    /// <summary>The name of block <paramref name="layer"/>'s parameters, e.g. "blocks.0".</summary>
    public static string BlockName(int layer) => $"blocks.{layer}";
}
