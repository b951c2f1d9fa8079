namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>Limits applied while reading configuration files.</summary>
/// <param name="MaxFileBytes">Files larger than this are refused (setting <c>tpactors.config.max-file-size</c>).</param>
internal sealed record HoconParseOptions(long MaxFileBytes)
{
    /// <summary>Include nesting deeper than this is refused, whatever the settings: it is a loop the cycle check could not see (e.g. through links).</summary>
    public const int MaxIncludeDepth = 50;

    /// <summary>Objects and lists nested deeper than this (counting into included files) are refused: parsing, resolving and rendering recurse, and a stack overflow cannot be caught.</summary>
    public const int MaxNestingDepth = 256;

    /// <summary>A chain of substitutions, each needing the next, longer than this is refused, for the same reason.</summary>
    public const int MaxSubstitutionDepth = 512;

    /// <summary>No size limit: for code that parses files it trusts.</summary>
    public static readonly HoconParseOptions Unlimited = new(long.MaxValue);
}
