namespace TpActors.Layers.Tensors;

/// <summary>How an <see cref="Activation"/> is written in settings, options, checkpoints and reports: "gelu" or "relu".</summary>
public static class ActivationNames
{
    /// <summary>The activation named <paramref name="text"/> (any case); <paramref name="setting"/> names where it came from in the error.</summary>
    public static Activation Parse(string text, string setting = "activation") => text.ToLowerInvariant() switch
    {
        "gelu" => Activation.Gelu,
        "relu" => Activation.Relu,
        _ => throw new ArgumentException($"{setting} is '{text}'; use gelu or relu."),
    };

    /// <summary>"gelu" or "relu".</summary>
    public static string Name(Activation activation) => activation.ToString().ToLowerInvariant();
}
