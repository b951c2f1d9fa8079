namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>
/// Joins the parts of a value concatenation (HOCON.md, "Value concatenation"): all objects merge (later
/// parts win), all lists append, strings/numbers/booleans join as text; a mix of kinds is an error.
/// Whitespace between objects or lists is ignored; between strings it is kept.
/// </summary>
internal static class HoconConcatenator
{
    /// <summary>Joins resolved parts (undefined parts already dropped); null when nothing is left.</summary>
    public static HoconValue? Join(IReadOnlyList<HoconValue> parts, ConfigOrigin origin, Func<ConfigOrigin, string, ConfigException> error)
    {
        var values = parts.Where(p => p is not HoconString { IsSeparator: true }).ToList();
        if (values.Count == 0) return null;
        if (parts.Count == 1) return parts[0];

        if (values.All(v => v is HoconObject))
        {
            HoconValue merged = values[0];
            for (int i = 1; i < values.Count; i++) merged = HoconMerger.Merge(values[i], merged);
            return merged;
        }
        if (values.All(v => v is HoconList))
            return new HoconList(values.SelectMany(v => ((HoconList)v).Items).ToList(), origin);

        var container = values.FirstOrDefault(v => v is HoconObject or HoconList);
        if (container is not null)
        {
            var other = values.First(v => v.GetType() != container.GetType());
            throw error(container.Origin,
                $"cannot concatenate {Describe(container)} with {Describe(other)}: a value concatenation must be all objects, all lists, or all simple values");
        }
        return new HoconString(string.Concat(parts.Select(p => ((HoconScalar)p).ConcatText)), origin);
    }

    private static string Describe(HoconValue value) => value switch
    {
        HoconObject => "an object",
        HoconList => "a list",
        HoconString s => $"the string {HoconStrings.Excerpt(s.Value)}",
        _ => $"a {value.TypeName}",
    };
}
