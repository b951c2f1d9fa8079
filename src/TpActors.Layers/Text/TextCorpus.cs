using System.Text;

namespace TpActors.Layers.Text;

/// <summary>
/// The UTF-8 text a GPT trains on: one file, or every text file of a directory (in order of name, each once even when
/// links repeat it; files that are not UTF-8 text, such as the fortunes package's <c>.dat</c> indexes, are passed over and
/// counted). Refuses, naming the file: an empty text, a file given by name that is not UTF-8 or holds NUL bytes, a
/// directory with no text file.
/// </summary>
public sealed class TextCorpus
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private TextCorpus(string text, IReadOnlyList<string> files, int skipped)
    {
        Text = text;
        Files = files;
        Skipped = skipped;
    }

    /// <summary>All of it, the files one after another.</summary>
    public string Text { get; }

    /// <summary>The files read, full paths, in order.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Files of the directory passed over as not UTF-8 text.</summary>
    public int Skipped { get; }

    /// <summary>The files <paramref name="path"/> names, in the order they are read (what <see cref="Read"/> would read).</summary>
    /// <exception cref="ArgumentException">Nothing is there.</exception>
    public static IReadOnlyList<string> FilesOf(string path)
    {
        if (File.Exists(path)) return [Path.GetFullPath(path)];
        if (!Directory.Exists(path)) throw new ArgumentException($"--data {path}: no such file or directory.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var files = new List<string>();
        foreach (string file in Directory.EnumerateFiles(path).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(file);
            string real = info.LinkTarget is null ? info.FullName : info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? info.FullName;
            if (File.Exists(real) && seen.Add(real)) files.Add(real);
        }
        return files;
    }

    /// <summary>Reads <paramref name="path"/>, a file or a directory.</summary>
    /// <exception cref="ArgumentException">The path names nothing.</exception>
    /// <exception cref="InvalidDataException">No text there, or a file given by name is not UTF-8 text.</exception>
    public static TextCorpus Read(string path)
    {
        bool single = File.Exists(path);
        var files = FilesOf(path);
        var builder = new StringBuilder();
        var read = new List<string>();
        int skipped = 0;
        foreach (string file in files)
        {
            if (TryRead(file, out string text, out string? problem))
            {
                builder.Append(text);
                read.Add(file);
            }
            else if (single) throw new InvalidDataException($"{file}: {problem}; --data takes UTF-8 text.");
            else skipped++;
        }
        if (read.Count == 0)
            throw new InvalidDataException(files.Count == 0 ? $"{path}: the directory holds no files; --data takes UTF-8 text."
                : $"{path}: none of its {files.Count} files is UTF-8 text; --data takes UTF-8 text.");
        if (builder.Length == 0) throw new InvalidDataException($"{path}: the text is empty.");
        return new TextCorpus(builder.ToString(), read, skipped);
    }

    // The file's text, or why it is not text: bytes that are not UTF-8, or NUL bytes (UTF-8 allows them; text has none).
    private static bool TryRead(string file, out string text, out string? problem)
    {
        byte[] bytes = File.ReadAllBytes(file);
        text = "";
        int nul = Array.IndexOf(bytes, (byte)0);
        if (nul >= 0)
        {
            problem = $"byte {nul} is NUL: it is a binary file, not text";
            return false;
        }
        try
        {
            int skip = bytes.AsSpan().StartsWith(Strict.Preamble) ? Strict.Preamble.Length : 0;
            text = Strict.GetString(bytes, skip, bytes.Length - skip);
        }
        catch (DecoderFallbackException e)
        {
            problem = $"byte {e.Index} (0x{(e.BytesUnknown is { Length: > 0 } unknown ? unknown[0] : 0):X2}) is not UTF-8";
            return false;
        }
        problem = null;
        return true;
    }
}
