using System.Diagnostics;
using TpActors.Runtime.Configuration.Hocon;

namespace TpActors.Runtime.Configuration;

/// <summary>
/// An immutable configuration tree with typed getters, as in Akka's <c>Config</c>. Paths are HOCON path
/// expressions (<c>tpactors.config.max-file-size</c>, <c>a."dotted.key"</c>). A tree read from text may hold
/// substitutions: getters resolve it on first use (with environment fallback), <see cref="Resolve"/> does
/// so explicitly and reports errors at once, and <see cref="WithFallback"/> merges unresolved trees so that
/// substitutions see the merged result.
/// </summary>
[DebuggerDisplay("HoconConfig: {_tree.Count} root keys, resolved = {IsResolved}")]
public sealed class HoconConfig
{
    private readonly HoconObjectNode _tree;
    private HoconObjectNode? _resolved;

    internal HoconConfig(HoconObjectNode tree)
    {
        _tree = tree;
        if (tree.IsResolved) _resolved = tree;
    }

    /// <summary>A configuration with no settings.</summary>
    public static HoconConfig Empty { get; } = new(HoconObjectNode.EmptyAt(ConfigOrigin.Code));

    /// <summary>True when no substitution is left to resolve.</summary>
    public bool IsResolved => _tree.IsResolved;

    /// <summary>The resolved tree (resolving now if needed).</summary>
    internal HoconObjectNode Root => _resolved ??= HoconResolver.Resolve(_tree, useEnvironment: true);

    /// <summary>The tree as parsed and merged, substitutions included.</summary>
    internal HoconObjectNode Unresolved => _tree;

    /// <summary>Resolves every substitution now; throws <see cref="ConfigResolveException"/> for a missing value or a cycle.</summary>
    /// <param name="useEnvironment">Whether a substitution not found in the tree falls back to an environment variable.</param>
    public HoconConfig Resolve(bool useEnvironment = true) => IsResolved ? this : new HoconConfig(HoconResolver.Resolve(_tree, useEnvironment));

    /// <summary>This configuration with <paramref name="fallback"/> underneath: this one's values win, objects merge, and substitutions resolve against the merged tree.</summary>
    public HoconConfig WithFallback(HoconConfig fallback)
    {
        ArgumentNullException.ThrowIfNull(fallback);
        return new HoconConfig(HoconMerger.MergeObjects(_tree, fallback._tree));
    }

    /// <summary>True when <paramref name="path"/> holds a value other than null.</summary>
    public bool HasPath(string path) => HoconPath.Parse(path).FindIn(Root) is { } v && v is not HoconNullNode;

    /// <summary>Where the value at <paramref name="path"/> was set.</summary>
    public ConfigOrigin GetOrigin(string path) => Get(path).Origin;

    /// <summary>The value at <paramref name="path"/> as a string (numbers and booleans convert).</summary>
    public string GetString(string path) => ConfigValueReader.ReadString(Get(path), path);

    /// <summary>The value at <paramref name="path"/> as a 32-bit integer.</summary>
    public int GetInt(string path) => ConfigValueReader.ReadInt(Get(path), path);

    /// <summary>The value at <paramref name="path"/> as a 64-bit integer.</summary>
    public long GetLong(string path) => ConfigValueReader.ReadLong(Get(path), path);

    /// <summary>The value at <paramref name="path"/> as a double.</summary>
    public double GetDouble(string path) => ConfigValueReader.ReadDouble(Get(path), path);

    /// <summary>The number at <paramref name="path"/> as a float32; one that float32 would hold as 0 or infinity is refused.</summary>
    public float GetSingle(string path) => ConfigValueReader.ReadSingle(Get(path), path);

    /// <summary>The value at <paramref name="path"/> as a boolean: true/false, yes/no, on/off.</summary>
    public bool GetBoolean(string path) => ConfigValueReader.ReadBoolean(Get(path), path);

    /// <summary>The value at <paramref name="path"/> as a duration: a number is milliseconds, text is a number and a unit (ns, us, ms, s, m, h, d).</summary>
    public TimeSpan GetDuration(string path) => ConfigValueReader.ReadDuration(Get(path), path);

    /// <summary>The value at <paramref name="path"/> as a size in bytes: a number is bytes, text is a number and a unit (kB, MiB, …).</summary>
    public long GetBytes(string path) => ConfigValueReader.ReadBytes(Get(path), path);

    /// <summary>The object at <paramref name="path"/> as a configuration of its own.</summary>
    public HoconConfig GetConfig(string path) => new(ConfigValueReader.ReadObject(Get(path), path));

    /// <summary>The list at <paramref name="path"/> as strings; an object with keys "0", "1", … counts as a list.</summary>
    public IReadOnlyList<string> GetStringList(string path) =>
        ConfigValueReader.ReadList(Get(path), path).Select((v, i) => ConfigValueReader.ReadString(v, $"{path}[{i}]")).ToList();

    /// <summary>The part of this configuration at the keys that <paramref name="keys"/> sets: shows what a file contributes, with values resolved against everything.</summary>
    public HoconConfig WithOnlyPathsOf(HoconConfig keys) => new(Restrict(Root, keys._tree));

    /// <summary>Renders the resolved tree as HOCON; with <paramref name="withOrigins"/>, each value is followed by the file:line it came from.</summary>
    public string ToHocon(bool withOrigins = false) => HoconRenderer.Render(Root, withOrigins);

    /// <summary>Renders the resolved tree as JSON with keys sorted.</summary>
    public string ToJson() => JsonRenderer.Render(Root);

    /// <inheritdoc/>
    public override string ToString() => ToHocon();

    private HoconNode Get(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var parsed = HoconPath.Parse(path);
        HoconNode current = Root;
        for (int i = 0; i < parsed.Length; i++)
        {
            if (current is not HoconObjectNode obj)
                throw new ConfigTypeException(new HoconPath([.. parsed.Keys.Take(i)]).ToString(), $"an object to hold '{path}'", ConfigValueReader.Describe(current), current.Origin);
            current = obj.Get(parsed[i]) ?? throw new ConfigMissingException(path);
        }
        return current;
    }

    private static HoconObjectNode Restrict(HoconObjectNode resolved, HoconObjectNode keys)
    {
        var fields = new OrderedDictionary<string, HoconNode>(StringComparer.Ordinal);
        foreach (var (key, value) in resolved.Fields)
        {
            var set = keys.Get(key);
            if (set is null) continue;
            fields[key] = set is HoconObjectNode setObject && value is HoconObjectNode valueObject ? Restrict(valueObject, setObject) : value;
        }
        return new HoconObjectNode(fields, resolved.Origin);
    }
}
