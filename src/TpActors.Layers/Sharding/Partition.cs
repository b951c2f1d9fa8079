namespace TpActors.Layers.Sharding;

/// <summary>
/// The one balanced split of a dimension over ranks (as <c>torch.chunk</c> balances): part r of n elements over p parts has
/// <c>n / p + (r &lt; n % p ? 1 : 0)</c> elements, so sizes differ by at most one and need not divide evenly.
/// </summary>
public static class Partition
{
    /// <summary>Elements in part <paramref name="index"/> of <paramref name="length"/> split into <paramref name="parts"/>.</summary>
    public static int Size(int length, int parts, int index)
    {
        Check(length, parts, index);
        return length / parts + (index < length % parts ? 1 : 0);
    }

    /// <summary>Where part <paramref name="index"/> starts.</summary>
    public static int Start(int length, int parts, int index)
    {
        Check(length, parts, index);
        return index * (length / parts) + Math.Min(index, length % parts);
    }

    /// <summary>The sizes of all parts, in order.</summary>
    public static int[] Sizes(int length, int parts) => Enumerable.Range(0, parts).Select(r => Size(length, parts, r)).ToArray();

    private static void Check(int length, int parts, int index)
    {
        if (parts < 1) throw new ArgumentOutOfRangeException(nameof(parts), $"Cannot split {length} elements into {parts} parts.");
        if ((uint)index >= (uint)parts) throw new ArgumentOutOfRangeException(nameof(index), $"Part {index} does not exist among {parts} parts.");
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), $"Cannot split a negative length {length}.");
    }
}
