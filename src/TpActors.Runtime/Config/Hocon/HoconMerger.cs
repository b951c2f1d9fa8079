namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>
/// Lays one value over an earlier value of the same key (HOCON.md, "Duplicate keys and object merging"):
/// two objects merge key by key, anything else set later wins. When either side still holds a
/// substitution the outcome is not known yet, so the pair is kept as a <see cref="HoconMergeStack"/>.
/// </summary>
internal static class HoconMerger
{
    public static HoconNode Merge(HoconNode top, HoconNode below)
    {
        if (top is HoconObjectNode topObject && below is HoconObjectNode belowObject) return MergeObjects(topObject, belowObject);
        // (t over b) over c is t over (b over c): keeping Top never a stack gives every layer one below-chain.
        if (top is HoconMergeStack stack) return new HoconMergeStack(stack.Top, Merge(stack.Below, below));
        if (top is HoconScalarNode or HoconListNode) return top;
        if (top is HoconObjectNode && below is HoconScalarNode or HoconListNode) return top;
        return new HoconMergeStack(top, below);
    }

    public static HoconObjectNode MergeObjects(HoconObjectNode top, HoconObjectNode below)
    {
        var fields = new OrderedDictionary<string, HoconNode>(StringComparer.Ordinal);
        foreach (var (key, value) in below.Fields) fields[key] = value;
        foreach (var (key, value) in top.Fields)
            fields[key] = fields.TryGetValue(key, out var earlier) ? Merge(value, earlier) : value;
        return new HoconObjectNode(fields, top.Origin);
    }
}
