namespace TpActors.Runtime.Configuration;

/// <summary>Text that is not valid HOCON (or JSON, or .properties); names the <c>file:line:column</c> and what was expected there.</summary>
public sealed class ConfigParseException(ConfigOrigin origin, string message) : ConfigException(origin, message);
