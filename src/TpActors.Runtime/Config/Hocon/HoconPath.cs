using System.Text;

namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>A path into a configuration tree: a list of keys, as written <c>a.b."c.d"</c>.</summary>
internal sealed class HoconPath : IEquatable<HoconPath>
{
    /// <summary>The root path (no keys).</summary>
    public static readonly HoconPath Empty = new([]);

    private readonly string[] _keys;

    public HoconPath(string[] keys) => _keys = keys;

    public int Length => _keys.Length;

    public string this[int index] => _keys[index];

    public IReadOnlyList<string> Keys => _keys;

    public string First => _keys[0];

    public HoconPath Append(string key) => new([.. _keys, key]);

    public HoconPath Append(HoconPath other) => other.Length == 0 ? this : Length == 0 ? other : new([.. _keys, .. other._keys]);

    /// <summary>The keys from <paramref name="start"/> on.</summary>
    public HoconPath Skip(int start) => start == 0 ? this : new(_keys[start..]);

    /// <summary>True when this path equals <paramref name="prefix"/> or lies below it.</summary>
    public bool StartsWith(HoconPath prefix)
    {
        if (prefix.Length > Length) return false;
        for (int i = 0; i < prefix.Length; i++)
            if (!string.Equals(_keys[i], prefix._keys[i], StringComparison.Ordinal)) return false;
        return true;
    }

    /// <summary>The value at this path below <paramref name="root"/> in a resolved tree; null when a key is missing or a value on the way is not an object.</summary>
    public HoconNode? FindIn(HoconNode? root)
    {
        var current = root;
        for (int i = 0; i < _keys.Length && current is not null; i++)
            current = (current as HoconObjectNode)?.Get(_keys[i]);
        return current;
    }

    /// <summary>Parses a path expression such as <c>akka.remote."dot.key"</c>; throws <see cref="ConfigParseException"/> when malformed.</summary>
    public static HoconPath Parse(string expression, string source = "<path>")
    {
        var tokens = new HoconLexer(expression, source).TokenizeAll();
        var keyTokens = tokens.Where(t => t.Kind != HoconTokenKind.EndOfFile).ToList();
        return HoconPathBuilder.FromTokens(keyTokens, new ConfigOrigin(source, 1, 1));
    }

    /// <summary>Renders the path so that <see cref="Parse"/> reads it back: keys that need it are quoted.</summary>
    public override string ToString()
    {
        if (_keys.Length == 0) return "";
        var sb = new StringBuilder();
        for (int i = 0; i < _keys.Length; i++)
        {
            if (i > 0) sb.Append('.');
            sb.Append(RenderKey(_keys[i]));
        }
        return sb.ToString();
    }

    /// <summary>A key as it may be written in HOCON: bare when safe, JSON-quoted otherwise.</summary>
    public static string RenderKey(string key)
    {
        bool bare = key.Length > 0 && key != "include" && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_');
        return bare ? key : HoconStrings.Quote(key);
    }

    public bool Equals(HoconPath? other) => other is not null && _keys.AsSpan().SequenceEqual(other._keys);

    public override bool Equals(object? obj) => Equals(obj as HoconPath);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var k in _keys) hash.Add(k, StringComparer.Ordinal);
        return hash.ToHashCode();
    }
}
