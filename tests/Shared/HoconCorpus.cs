namespace TpActors.Tests.Shared;

/// <summary>Locates the HOCON conformance corpus: $TPACTORS_HOCON_CORPUS, or ../shared/hocon-corpus beside the repository.</summary>
public static class HoconCorpus
{
    /// <summary>The environment variable that points at the corpus when it is not beside the repository.</summary>
    public const string EnvironmentVariable = "TPACTORS_HOCON_CORPUS";

    /// <summary>The corpus folder, or null when absent.</summary>
    public static string? Root { get; } = Locate();

    /// <summary>Why corpus tests are skipped when it is absent.</summary>
    public static string SkipReason =>
        $"HOCON corpus not found: looked at ${EnvironmentVariable} and at ../shared/hocon-corpus beside the repository root";

    /// <summary>The equivalence test files (top level of equiv*/, not original.json), as "equivNN/name".</summary>
    public static IEnumerable<string> EquivalenceFiles()
    {
        if (Root is null) yield break;
        var lightbend = Path.Combine(Root, "lightbend");
        foreach (var folder in Directory.GetDirectories(lightbend, "equiv*").Order(StringComparer.Ordinal))
            foreach (var file in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(file);
                if (name != "original.json" && (name.EndsWith(".conf", StringComparison.Ordinal) || name.EndsWith(".json", StringComparison.Ordinal)))
                    yield return $"{Path.GetFileName(folder)}/{name}";
            }
    }

    /// <summary>Full path of a corpus file given relative to the corpus' lightbend folder.</summary>
    public static string Lightbend(string relative) => Path.Combine(Root!, "lightbend", relative);

    private static string? Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment)) return Directory.Exists(fromEnvironment) ? Path.GetFullPath(fromEnvironment) : null;
        if (RepositoryRoot.Path is null) return null;
        var candidate = Path.GetFullPath(Path.Combine(RepositoryRoot.Path, "..", "shared", "hocon-corpus"));
        return Directory.Exists(candidate) ? candidate : null;
    }
}

/// <summary>A fact that needs the HOCON corpus; skipped, with the reason, where it is absent.</summary>
public sealed class CorpusFactAttribute : FactAttribute
{
    /// <summary>Sets the skip reason when the corpus is absent.</summary>
    public CorpusFactAttribute()
    {
        if (HoconCorpus.Root is null) Skip = HoconCorpus.SkipReason;
    }
}

/// <summary>A theory that needs the HOCON corpus; skipped, with the reason, where it is absent.</summary>
public sealed class CorpusTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets the skip reason when the corpus is absent.</summary>
    public CorpusTheoryAttribute()
    {
        if (HoconCorpus.Root is null) Skip = HoconCorpus.SkipReason;
    }
}
