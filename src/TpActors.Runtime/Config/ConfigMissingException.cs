namespace TpActors.Runtime.Configuration;

/// <summary>A setting that was asked for but is not in the configuration.</summary>
public sealed class ConfigMissingException(string path) : ConfigException(null, $"no setting at '{path}'")
{
    /// <summary>The path that was asked for.</summary>
    public string Path { get; } = path;
}
