namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>
/// Joins the parts of a value concatenation (HOCON.md, "Value concatenation"): all objects merge (later
/// parts win), all lists append, strings/numbers/booleans join as text; a mix of kinds is an error.
/// Whitespace between objects or lists is ignored; between strings it is kept.
/// </summary>
internal static class HoconConcatenator
{
    /// <summary>Joins resolved parts (undefined parts already dropped); null when nothing is left.</summary>
    public static HoconNode? Join(IReadOnlyList<HoconNode> parts, ConfigOrigin origin, Func<ConfigOrigin, string, ConfigException> error)
    {
        var values = parts.Where(p => p is not HoconStringNode { IsSeparator: true }).ToList();
        if (values.Count == 0) return null;
        if (parts.Count == 1) return parts[0];

        if (values.All(v => v is HoconObjectNode))
        {
            HoconNode merged = values[0];
            for (int i = 1; i < values.Count; i++) merged = HoconMerger.Merge(values[i], merged);
            return merged;
        }
        if (values.All(v => v is HoconListNode))
            return new HoconListNode(values.SelectMany(v => ((HoconListNode)v).Items).ToList(), origin);

        var container = values.FirstOrDefault(v => v is HoconObjectNode or HoconListNode);
        if (container is not null)
        {
            var other = values.First(v => v.GetType() != container.GetType());
            throw error(container.Origin,
                $"cannot concatenate {Describe(container)} with {Describe(other)}: a value concatenation must be all objects, all lists, or all simple values");
        }
        return new HoconStringNode(string.Concat(parts.Select(p => ((HoconScalarNode)p).ConcatText)), origin);
    }

    private static string Describe(HoconNode value) => value switch
    {
        HoconObjectNode => "an object",
        HoconListNode => "a list",
        HoconStringNode s => $"the string {HoconStrings.Excerpt(s.Value)}",
        _ => $"a {value.TypeName}",
    };
}
