namespace TpActors.Runtime.Configuration;

/// <summary>Where a configuration value was written: a source (file path, "reference.conf", "-D[1]") and a 1-based line and column.</summary>
/// <param name="Source">The file path or the name of the source the text came from.</param>
/// <param name="Line">1-based line number.</param>
/// <param name="Column">1-based column number, counted in UTF-16 code units.</param>
public sealed record ConfigOrigin(string Source, int Line, int Column)
{
    /// <summary>An origin for values made by code rather than read from text.</summary>
    public static readonly ConfigOrigin Code = new("<code>", 0, 0);

    /// <summary>Renders as <c>file:line:column</c>, the form compilers and editors understand.</summary>
    public override string ToString() => Line > 0 ? $"{Source}:{Line}:{Column}" : Source;

    /// <summary>Renders as <c>file:line</c>, used by <c>config show --origin</c>.</summary>
    public string ToFileAndLine() => Line > 0 ? $"{Source}:{Line}" : Source;
}
