using TpActors.Runtime.IO;

namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>
/// Reads configuration files and the files they include (HOCON.md, "Includes"). A relative name is
/// located beside the including file, never by the working directory. A name without a known extension
/// loads every one of name.properties, name.json and name.conf that exists, merged in that order (.conf
/// wins). A missing file is an empty object unless the include is <c>required(…)</c>. A file that
/// includes itself, directly or through others, is an error naming the chain.
/// </summary>
internal sealed class HoconIncluder(HoconParseOptions options)
{
    private static readonly string[] KnownExtensions = [".properties", ".json", ".conf"];

    // Files being parsed, innermost last: an include of any of them is a cycle.
    private readonly List<string> _chain = [];

    /// <summary>Parses one file, choosing the syntax by its extension (.properties, else HOCON/JSON).</summary>
    /// <param name="path">The file.</param>
    /// <param name="includedFrom">The include statement that names it; null for the top-level file.</param>
    /// <param name="depth">The nesting depth of the include point.</param>
    public HoconObjectNode ParseFile(string path, ConfigOrigin? includedFrom, int depth = 0)
    {
        string full = Path.GetFullPath(path);
        string display = DisplayName(full);
        if (_chain.Contains(full))
            throw new ConfigParseException(includedFrom!, $"include cycle: {string.Join(" -> ", _chain.Select(DisplayName).Append(display))}");
        if (_chain.Count >= HoconParseOptions.MaxIncludeDepth)
            throw new ConfigParseException(includedFrom!, $"includes nested more than {HoconParseOptions.MaxIncludeDepth} deep at '{display}'");

        string text = ReadText(full, display, includedFrom);
        _chain.Add(full);
        try
        {
            return Path.GetExtension(full).Equals(".properties", StringComparison.OrdinalIgnoreCase)
                ? PropertiesParser.Parse(text, display)
                : HoconParser.ParseDocument(text, display, this, full, depth);
        }
        finally
        {
            _chain.RemoveAt(_chain.Count - 1);
        }
    }

    /// <summary>
    /// Loads what an include statement names, relative to <paramref name="includingFile"/> (or the working
    /// directory for text not read from a file). <c>include "x"</c> and <c>include file("x")</c> locate files the
    /// same way: there are no classpath or URL resources here.
    /// </summary>
    public HoconObjectNode Include(string name, bool required, ConfigOrigin at, string? includingFile, int depth)
    {
        string directory = includingFile is null ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(includingFile)!;
        string target = Path.IsPathRooted(name) ? name : Path.Combine(directory, name);

        var candidates = KnownExtensions.Contains(Path.GetExtension(target), StringComparer.OrdinalIgnoreCase)
            ? [target]
            : KnownExtensions.Select(ext => target + ext).Prepend(target).ToList();
        var found = candidates.Where(File.Exists).ToList();
        if (found.Count == 0)
        {
            if (!required) return HoconObjectNode.EmptyAt(at);
            throw new ConfigParseException(at, $"required include '{name}' not found (looked for {string.Join(", ", candidates.Select(DisplayName))})");
        }

        HoconObjectNode merged = HoconObjectNode.EmptyAt(at);
        foreach (var file in found) merged = HoconMerger.MergeObjects(ParseFile(file, at, depth), merged);
        return merged;
    }

    // Reads at most max-file-size bytes from whatever the path is: a regular file is measured first; a device (/dev/zero,
    // /dev/urandom), a pipe or a file that grows while it is read is cut off one byte past the limit, so no source can
    // make the loader read without end.
    private string ReadText(string full, string display, ConfigOrigin? includedFrom)
    {
        var where = includedFrom ?? new ConfigOrigin(display, 0, 0);
        long limit = options.MaxFileBytes;
        string TooLarge(string what) =>
            $"'{display}' {what} tpactors.config.max-file-size ({ConfigUnits.FormatBytes(limit)}); raise it with -D tpactors.config.max-file-size=…";
        try
        {
            var info = new FileInfo(full);
            if ((info.Attributes & FileAttributes.Device) == 0 && info.Length > limit) throw new ConfigException(where, TooLarge($"is {info.Length} bytes, larger than"));
            using var stream = Open(full, where, display);
            using var bytes = BoundedRead.ReadAll(stream, limit) ?? throw new ConfigException(where, TooLarge("yields more bytes than"));
            using var reader = new StreamReader(bytes, detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(where, $"cannot read '{display}': {e.Message}");
        }
    }

    // Opening a named pipe waits for a writer: one that never comes is an error after a while, not a hang.
    private static FileStream Open(string full, ConfigOrigin where, string display)
    {
        var opening = Task.Run(() => new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0));
        if (opening.Wait(OpenTimeout)) return opening.GetAwaiter().GetResult();
        throw new ConfigException(where, $"'{display}' did not open within {ConfigUnits.FormatDuration(OpenTimeout)}: a named pipe that nothing writes to?");
    }

    private static readonly TimeSpan OpenTimeout = TimeSpan.FromSeconds(10);

    // Paths in messages: relative to the working directory when below it, absolute otherwise.
    private static string DisplayName(string fullPath)
    {
        string relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), fullPath);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? fullPath : relative;
    }
}
