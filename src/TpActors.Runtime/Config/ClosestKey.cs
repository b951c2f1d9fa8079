namespace TpActors.Runtime.Configuration;

/// <summary>Finds the known key nearest to a mistyped one, for "did you mean …" messages.</summary>
public static class ClosestKey
{
    /// <summary>The candidate with the smallest edit distance, if that distance is small for the key's length (or <paramref name="typedLength"/>, the length of the part that was typed wrong).</summary>
    public static string? Find(string key, IEnumerable<string> candidates, int? typedLength = null)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            int d = EditDistance(key, candidate);
            if (d < bestDistance) (best, bestDistance) = (candidate, d);
        }
        return bestDistance <= Math.Max(2, (typedLength ?? key.Length) / 3) ? best : null;
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions each cost 1.</summary>
    public static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
