namespace TpActors.Tests.Shared;

/// <summary>The repository's root folder (where TpActors.sln is), found by walking up from the test binaries.</summary>
public static class RepositoryRoot
{
    /// <summary>The root folder, or null when the tests run outside a checkout.</summary>
    public static string? Path { get; } = Locate();

    /// <summary>A file below the root, e.g. "hocon/example.conf".</summary>
    public static string File(string relative) =>
        System.IO.Path.Combine(Path ?? throw new InvalidOperationException("the tests are not running inside a TpActors checkout"), relative);

    private static string? Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (System.IO.File.Exists(System.IO.Path.Combine(dir.FullName, "TpActors.sln"))) return dir.FullName;
        return null;
    }
}
