using System.Text;

namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>
/// Reads a Java .properties file into a tree (HOCON.md, "Java properties mapping"): each key splits on
/// '.' into a path (empty keys kept), every value is a string, and where a key is both a value and a
/// parent of other keys the object wins.
/// </summary>
internal static class PropertiesParser
{
    private sealed class Node
    {
        public OrderedDictionary<string, Node>? Children;
        public HoconStringNode? Value;
        public required ConfigOrigin Origin;
    }

    public static HoconObjectNode Parse(string text, string source)
    {
        var root = new Node { Children = new(StringComparer.Ordinal), Origin = new ConfigOrigin(source, 1, 1) };
        foreach (var (line, lineNumber) in LogicalLines(text))
        {
            var (key, value) = SplitEntry(line);
            var origin = new ConfigOrigin(source, lineNumber, 1);
            var path = key.Split('.');
            if (path.Length > HoconParseOptions.MaxNestingDepth + 1)
                throw new ConfigParseException(origin, $"a key of {path.Length} parts nests deeper than objects may ({HoconParseOptions.MaxNestingDepth})");
            Insert(root, path, new HoconStringNode(value, origin), origin);
        }
        return (HoconObjectNode)ToValue(root);
    }

    private static void Insert(Node root, string[] path, HoconStringNode value, ConfigOrigin origin)
    {
        var node = root;
        for (int i = 0; i < path.Length - 1; i++)
        {
            node.Children ??= new(StringComparer.Ordinal);
            if (!node.Children.TryGetValue(path[i], out var child))
                node.Children[path[i]] = child = new Node { Origin = origin };
            child.Value = null; // object wins over a string set at the same path
            child.Children ??= new(StringComparer.Ordinal);
            node = child;
        }
        node.Children ??= new(StringComparer.Ordinal);
        string last = path[^1];
        if (node.Children.TryGetValue(last, out var existing) && existing.Children is not null) return; // object wins
        node.Children[last] = new Node { Value = value, Origin = origin };
    }

    private static HoconNode ToValue(Node node)
    {
        if (node.Children is null) return node.Value!;
        var fields = new OrderedDictionary<string, HoconNode>(StringComparer.Ordinal);
        foreach (var (k, child) in node.Children) fields[k] = ToValue(child);
        return new HoconObjectNode(fields, node.Origin);
    }

    // Natural lines joined where a line ends in an odd number of backslashes; comments and blank lines dropped.
    private static IEnumerable<(string Line, int Number)> LogicalLines(string text)
    {
        var lines = text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int number = i + 1;
            string line = lines[i].TrimStart(' ', '\t', '\f');
            if (line.Length == 0 || line[0] is '#' or '!') continue;
            var sb = new StringBuilder();
            while (EndsWithContinuation(line) && i + 1 < lines.Length)
            {
                sb.Append(line, 0, line.Length - 1);
                line = lines[++i].TrimStart(' ', '\t', '\f');
            }
            sb.Append(EndsWithContinuation(line) ? line[..^1] : line);
            yield return (sb.ToString(), number);
        }
    }

    private static bool EndsWithContinuation(string line)
    {
        int backslashes = 0;
        for (int i = line.Length - 1; i >= 0 && line[i] == '\\'; i--) backslashes++;
        return backslashes % 2 == 1;
    }

    private static (string Key, string Value) SplitEntry(string line)
    {
        int i = 0;
        var key = new StringBuilder();
        while (i < line.Length && line[i] is not ('=' or ':' or ' ' or '\t' or '\f'))
            i = Unescape(line, i, key);
        while (i < line.Length && line[i] is ' ' or '\t' or '\f') i++;
        if (i < line.Length && line[i] is '=' or ':') i++;
        while (i < line.Length && line[i] is ' ' or '\t' or '\f') i++;
        var value = new StringBuilder();
        while (i < line.Length) i = Unescape(line, i, value);
        return (key.ToString(), value.ToString());
    }

    // Appends the character at i (decoding a backslash escape) and returns the index after it.
    private static int Unescape(string line, int i, StringBuilder into)
    {
        if (line[i] != '\\' || i + 1 >= line.Length) { into.Append(line[i]); return i + 1; }
        char e = line[i + 1];
        switch (e)
        {
            case 't': into.Append('\t'); return i + 2;
            case 'n': into.Append('\n'); return i + 2;
            case 'r': into.Append('\r'); return i + 2;
            case 'f': into.Append('\f'); return i + 2;
            case 'u' when i + 6 <= line.Length && int.TryParse(line.AsSpan(i + 2, 4), System.Globalization.NumberStyles.AllowHexSpecifier, null, out int code):
                into.Append((char)code); return i + 6;
            default: into.Append(e); return i + 2;
        }
    }
}
