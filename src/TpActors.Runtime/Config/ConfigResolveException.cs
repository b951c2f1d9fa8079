namespace TpActors.Runtime.Configuration;

/// <summary>A substitution that cannot be resolved: a missing required value, a cycle, or parts that cannot be concatenated.</summary>
public sealed class ConfigResolveException(ConfigOrigin origin, string message) : ConfigException(origin, message)
{
    /// <summary>True when the substitution could not be resolved because it depends on itself.</summary>
    public bool IsCycle { get; init; }
}
