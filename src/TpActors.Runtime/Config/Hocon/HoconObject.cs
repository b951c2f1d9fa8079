namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>An object: keys in the order they were first set, each with its value.</summary>
internal sealed class HoconObject : HoconValue
{
    private readonly OrderedDictionary<string, HoconValue> _fields;
    private readonly bool _resolved;

    public HoconObject(OrderedDictionary<string, HoconValue> fields, ConfigOrigin origin) : base(origin)
    {
        _fields = fields;
        _resolved = fields.Values.All(v => v.IsResolved);
    }

    public static HoconObject EmptyAt(ConfigOrigin origin) => new(new OrderedDictionary<string, HoconValue>(StringComparer.Ordinal), origin);

    public override bool IsResolved => _resolved;

    public override string TypeName => "object";

    public int Count => _fields.Count;

    public IEnumerable<string> Keys => _fields.Keys;

    public IEnumerable<KeyValuePair<string, HoconValue>> Fields => _fields;

    public HoconValue? Get(string key) => _fields.TryGetValue(key, out var v) ? v : null;

    public override HoconValue Relativize(HoconPath prefix)
    {
        if (_resolved) return this;
        var fields = new OrderedDictionary<string, HoconValue>(StringComparer.Ordinal);
        foreach (var (k, v) in _fields) fields[k] = v.Relativize(prefix);
        return new HoconObject(fields, Origin);
    }
}
