namespace TpActors.Layers.Tensors;

/// <summary>How an <see cref="Activation"/> is written in settings, options, checkpoints and reports: "gelu", "gelu-tanh" or "relu".</summary>
public static class ActivationNames
{
    /// <summary>Every name, as options and settings accept them.</summary>
    public static IReadOnlyList<string> All { get; } = ["gelu", "gelu-tanh", "relu"];

    /// <summary>The activation named <paramref name="text"/> (any case); <paramref name="setting"/> names where it came from in the error.</summary>
    public static Activation Parse(string text, string setting = "activation") => text.ToLowerInvariant() switch
    {
        "gelu" => Activation.Gelu,
        "gelu-tanh" => Activation.GeluTanh,
        "relu" => Activation.Relu,
        _ => throw new ArgumentException($"{setting} is '{text}'; use gelu (erf, as PyTorch's F.gelu), gelu-tanh or relu."),
    };

    /// <summary>"gelu", "gelu-tanh" or "relu".</summary>
    public static string Name(Activation activation) => activation switch
    {
        Activation.Gelu => "gelu",
        Activation.GeluTanh => "gelu-tanh",
        _ => "relu",
    };
}
