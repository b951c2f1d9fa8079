namespace TpActors.Layers.Sharding;

/// <summary>
/// Seeded initial values, counter-based: element i of the stream named s under seed k is a pure function of (k, s, i).
/// A rank fills just its shard of a parameter, yet every shard is a block of the same full master matrix, so TP=1 and
/// TP=8 start from identical full weights without anyone materializing or sending the full matrix.
/// </summary>
public static class MasterWeights
{
    /// <summary>
    /// Fills <paramref name="destination"/> with the block at (<paramref name="rowStart"/>, <paramref name="colStart"/>) of the
    /// master matrix [<c>_</c>, <paramref name="fullCols"/>] of stream <paramref name="stream"/>, uniform in [−bound, bound).
    /// A vector destination is a block of a master vector (row 0). Rows are counted in 64 bits, so an endless stream of rows
    /// (a data stream indexed by step) stays one matrix.
    /// </summary>
    public static void FillUniform(Tensors.Tensor destination, long seed, string stream, long rowStart, int colStart, int fullCols, float bound)
    {
        ulong key = StreamKey(seed, stream);
        for (int i = 0; i < destination.Rows; i++)
        {
            Span<float> row = destination.Row(i);
            ulong rowBase = (ulong)(rowStart + i) * (ulong)fullCols + (ulong)colStart;
            for (int j = 0; j < row.Length; j++) row[j] = bound * (2f * UnitFloat(key, rowBase + (ulong)j) - 1f);
        }
    }

    /// <summary>Fills <paramref name="destination"/> with <paramref name="value"/> (a LayerNorm's weight starts at 1 and its bias at 0).</summary>
    public static void FillConstant(Tensors.Tensor destination, float value)
    {
        for (int i = 0; i < destination.Rows; i++) destination.Row(i).Fill(value);
    }

    /// <summary>Xavier (Glorot) uniform bound for a weight [in, out]: √(6 / (in + out)).</summary>
    public static float XavierBound(int fanIn, int fanOut) => MathF.Sqrt(6f / Math.Max(1, fanIn + fanOut));

    /// <summary>The bias bound of <c>torch.nn.Linear</c>: 1 / √in.</summary>
    public static float BiasBound(int fanIn) => 1f / MathF.Sqrt(Math.Max(1, fanIn));

    // A float in [0, 1) with 24 random bits, from the SplitMix64 finalizer of (key + index·golden ratio).
    private static float UnitFloat(ulong key, ulong index)
    {
        ulong z = key + (index + 1) * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 40) * (1f / (1 << 24));
    }

    // FNV-1a over the stream name, mixed with the seed (string.GetHashCode differs between processes, so it cannot serve).
    private static ulong StreamKey(long seed, string stream)
    {
        ulong hash = 0xCBF29CE484222325UL;
        foreach (char c in stream) hash = (hash ^ c) * 0x100000001B3UL;
        return hash ^ ((ulong)seed * 0xD6E8FEB86659FD93UL);
    }
}
