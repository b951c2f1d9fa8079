using System.IO.MemoryMappedFiles;
using System.Security.Cryptography;
using System.Text;

namespace TpActors.Layers.Text;

/// <summary>
/// A text's tokens, memory-mapped read-only: tokenized once per machine (per text and tokenizer) into a file under the
/// cache directory, then mapped by every rank of every process that trains on it, so a step reads only the tokens of its
/// batch and a 100 MB text is neither re-read nor copied per rank. The file is 24 bytes of header (<c>TPTOK</c>, the token
/// width in bytes, the count of tokens and of the text's characters) and the tokens, 2 bytes each for vocabularies up to
/// 65,536, else 4. Its name is a hash of
/// the tokenizer and of each file's path, length and modification time: an edited text is tokenized again.
/// </summary>
public sealed unsafe class TokenFile : IDisposable
{
    private const int HeaderBytes = 24;
    private static readonly byte[] Magic = "TPTOK"u8.ToArray();

    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _tokens;

    private TokenFile(string path, MemoryMappedFile map, MemoryMappedViewAccessor view, int width, long count, long characters)
    {
        Path = path;
        _map = map;
        _view = view;
        Width = width;
        Count = count;
        Characters = characters;
        byte* start = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        _tokens = start + view.PointerOffset + HeaderBytes;
    }

    /// <summary>The cache file mapped.</summary>
    public string Path { get; }

    /// <summary>Bytes per token: 2 or 4.</summary>
    public int Width { get; }

    /// <summary>Tokens of the text.</summary>
    public long Count { get; }

    /// <summary>Characters (Unicode scalar values) of the text.</summary>
    public long Characters { get; }

    /// <summary>Token <paramref name="index"/> of the text.</summary>
    public int this[long index]
    {
        get
        {
            if ((ulong)index >= (ulong)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"The text has {Count} tokens.");
            return Width == 2 ? ((ushort*)_tokens)[index] : ((int*)_tokens)[index];
        }
    }

    /// <summary>Where token files are kept: $TPACTORS_CACHE_DIR, else $XDG_CACHE_HOME/tpactors, else ~/.cache/tpactors; tokens/ under it.</summary>
    public static string CacheDirectory
    {
        get
        {
            string? root = Environment.GetEnvironmentVariable("TPACTORS_CACHE_DIR");
            if (string.IsNullOrEmpty(root))
            {
                string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
                root = !string.IsNullOrEmpty(xdg) ? System.IO.Path.Combine(xdg, "tpactors")
                    : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "tpactors");
            }
            return System.IO.Path.Combine(root, "tokens");
        }
    }

    /// <summary>
    /// The tokens of <paramref name="text"/>, mapped; tokenizes the text first when no file under <paramref name="cacheDirectory"/>
    /// (default <see cref="CacheDirectory"/>) holds them.
    /// </summary>
    /// <exception cref="ArgumentException">The path names nothing, or the tokenizer cannot encode the text.</exception>
    /// <exception cref="InvalidDataException">The path holds no text.</exception>
    public static TokenFile Open(TextSpec text, string? cacheDirectory = null)
    {
        var tokenizer = text.Tokenizer.Create();
        int width = tokenizer.VocabularySize <= 1 << 16 ? 2 : 4;
        string path = System.IO.Path.Combine(cacheDirectory ?? CacheDirectory, Key(text) + ".tokens");
        if (TryMap(path, width) is { } cached) return cached;
        string whole = TextCorpus.Read(text.Data).Text;
        Write(path, tokenizer.Encode(whole), width, whole.EnumerateRunes().LongCount());
        return TryMap(path, width) ?? throw new IOException($"{path}: the token file just written cannot be read back.");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }

    // The file's name: what makes its tokens (the tokenizer, its vocabulary, each file's path, length and time).
    private static string Key(TextSpec text)
    {
        var key = new StringBuilder("tpactors tokens 2\n").Append(text.Tokenizer.Name).Append('\n').Append(text.Tokenizer.Characters).Append('\n');
        foreach (string file in TextCorpus.FilesOf(text.Data))
        {
            var info = new FileInfo(file);
            key.Append(file).Append('\t').Append(info.Length).Append('\t').Append(info.LastWriteTimeUtc.Ticks).Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key.ToString())))[..32];
    }

    // The mapped file when it is whole (its header and length agree), else null.
    private static TokenFile? TryMap(string path, int width)
    {
        if (!File.Exists(path)) return null;
        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        var view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        Span<byte> header = stackalloc byte[HeaderBytes];
        for (int i = 0; i < HeaderBytes && i < view.Capacity; i++) header[i] = view.ReadByte(i);
        long count = BitConverter.ToInt64(header[8..]), characters = BitConverter.ToInt64(header[16..]);
        if (view.Capacity >= HeaderBytes && header[..5].SequenceEqual(Magic) && header[5] == width && count > 0 && new FileInfo(path).Length == HeaderBytes + count * width)
            return new TokenFile(path, map, view, width, count, characters);
        view.Dispose();
        map.Dispose();
        return null;
    }

    // Writes beside the final name and renames, so a reader never maps half a file (two writers write the same bytes).
    private static void Write(string path, int[] tokens, int width, long characters)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        string partial = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.partial";
        using (var stream = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
        {
            Span<byte> header = stackalloc byte[HeaderBytes];
            header.Clear();
            Magic.CopyTo(header);
            header[5] = (byte)width;
            BitConverter.TryWriteBytes(header[8..], (long)tokens.Length);
            BitConverter.TryWriteBytes(header[16..], characters);
            stream.Write(header);
            byte[] buffer = new byte[1 << 16];
            int used = 0;
            foreach (int token in tokens)
            {
                if (width == 2) BitConverter.TryWriteBytes(buffer.AsSpan(used), (ushort)token);
                else BitConverter.TryWriteBytes(buffer.AsSpan(used), token);
                used += width;
                if (used + 4 > buffer.Length)
                {
                    stream.Write(buffer, 0, used);
                    used = 0;
                }
            }
            stream.Write(buffer, 0, used);
        }
        File.Move(partial, path, overwrite: true);
    }
}
