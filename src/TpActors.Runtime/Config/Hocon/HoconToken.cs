namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>One token: its kind, its text (for strings the decoded value, for numbers the digits as written) and where it starts.</summary>
internal sealed record HoconToken(HoconTokenKind Kind, string Text, ConfigOrigin Origin)
{
    /// <summary>For <see cref="HoconTokenKind.Number"/>: the parsed number.</summary>
    public HoconNumberNode? Number { get; init; }

    /// <summary>For <see cref="HoconTokenKind.Substitution"/>: the path inside <c>${…}</c>.</summary>
    public HoconPath? SubstitutionPath { get; init; }

    /// <summary>For <see cref="HoconTokenKind.Substitution"/>: true for <c>${?…}</c>.</summary>
    public bool OptionalSubstitution { get; init; }

    /// <summary>How the token reads in an error message ("'}'", "end of file", "newline").</summary>
    public string Describe() => Kind switch
    {
        HoconTokenKind.EndOfFile => "end of file",
        HoconTokenKind.Newline => "newline",
        HoconTokenKind.Whitespace => "whitespace",
        HoconTokenKind.QuotedString => $"quoted string {HoconStrings.Excerpt(Text)}",
        HoconTokenKind.Substitution => $"substitution ${{{(OptionalSubstitution ? "?" : "")}{SubstitutionPath}}}",
        _ => $"'{Text}'",
    };
}
