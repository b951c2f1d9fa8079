namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>An object: keys in the order they were first set, each with its value.</summary>
internal sealed class HoconObjectNode : HoconNode
{
    private readonly OrderedDictionary<string, HoconNode> _fields;
    private readonly bool _resolved;

    public HoconObjectNode(OrderedDictionary<string, HoconNode> fields, ConfigOrigin origin) : base(origin)
    {
        _fields = fields;
        _resolved = fields.Values.All(v => v.IsResolved);
    }

    public static HoconObjectNode EmptyAt(ConfigOrigin origin) => new(new OrderedDictionary<string, HoconNode>(StringComparer.Ordinal), origin);

    public override bool IsResolved => _resolved;

    public override string TypeName => "object";

    public int Count => _fields.Count;

    public IEnumerable<string> Keys => _fields.Keys;

    public IEnumerable<KeyValuePair<string, HoconNode>> Fields => _fields;

    public HoconNode? Get(string key) => _fields.TryGetValue(key, out var v) ? v : null;

    public override HoconNode Relativize(HoconPath prefix)
    {
        if (_resolved) return this;
        var fields = new OrderedDictionary<string, HoconNode>(StringComparer.Ordinal);
        foreach (var (k, v) in _fields) fields[k] = v.Relativize(prefix);
        return new HoconObjectNode(fields, Origin);
    }
}
