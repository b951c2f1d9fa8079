namespace TpActors.Runtime.Configuration;

/// <summary>One or more settings under the project's namespace that do not match <c>reference.conf</c>: unknown keys or values of the wrong type.</summary>
public sealed class ConfigValidationException(IReadOnlyList<ConfigException> problems)
    : ConfigException(null, string.Join(Environment.NewLine, problems.Select(p => p.Message)))
{
    /// <summary>Every problem found, in the order of the keys.</summary>
    public IReadOnlyList<ConfigException> Problems { get; } = problems;
}
