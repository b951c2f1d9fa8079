namespace TpActors.Runtime.Configuration;

/// <summary>A setting whose value cannot be read as the type asked for; names the path, the expected type, the value found and where it was set.</summary>
public sealed class ConfigTypeException(string path, string expected, string found, ConfigOrigin origin, string? reason = null)
    : ConfigException(origin, $"'{path}' must be {expected}, but is {found}{(reason is null ? "" : $" ({reason})")}")
{
    /// <summary>The path of the setting.</summary>
    public string Path { get; } = path;

    /// <summary>What the value had to be, e.g. "a duration such as 10s or 250ms".</summary>
    public string Expected { get; } = expected;

    /// <summary>The value as found, e.g. "string \"12 parsecs\"".</summary>
    public string Found { get; } = found;
}
