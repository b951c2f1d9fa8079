using System.Globalization;

namespace TpActors.Runtime.Cluster;

/// <summary>Expands SLURM's compressed host lists (<c>SLURM_JOB_NODELIST</c>): <c>node[01-04,07],gpu3</c> → node01 … node04, node07, gpu3.</summary>
public static class SlurmNodeList
{
    /// <summary>The hosts of <paramref name="list"/>, in order; zero-padded ranges keep their width.</summary>
    /// <exception cref="FormatException">A bracket that does not close, or a range that is not numbers.</exception>
    public static IReadOnlyList<string> Expand(string list)
    {
        var hosts = new List<string>();
        foreach (var item in SplitTopLevel(list))
        {
            int open = item.IndexOf('[');
            if (open < 0)
            {
                hosts.Add(item);
                continue;
            }
            int close = item.IndexOf(']', open);
            if (close < 0) throw new FormatException($"SLURM node list '{list}': '{item}' opens a bracket it does not close.");
            string prefix = item[..open], suffix = item[(close + 1)..];
            foreach (var range in item[(open + 1)..close].Split(','))
            {
                var bounds = range.Split('-');
                if (bounds.Length is not (1 or 2) || !bounds.All(b => b.Length > 0 && b.All(char.IsAsciiDigit)))
                    throw new FormatException($"SLURM node list '{list}': '{range}' is not a number or a range such as 01-04.");
                int from = int.Parse(bounds[0], CultureInfo.InvariantCulture), to = int.Parse(bounds[^1], CultureInfo.InvariantCulture);
                if (to < from) throw new FormatException($"SLURM node list '{list}': the range '{range}' runs backwards.");
                for (int n = from; n <= to; n++) hosts.Add(prefix + n.ToString(CultureInfo.InvariantCulture).PadLeft(bounds[0].Length, '0') + suffix);
            }
        }
        return hosts;
    }

    // Commas outside brackets separate hosts; inside, they separate ranges.
    private static IEnumerable<string> SplitTopLevel(string list)
    {
        int depth = 0, start = 0;
        for (int i = 0; i <= list.Length; i++)
        {
            if (i < list.Length && list[i] == '[') depth++;
            else if (i < list.Length && list[i] == ']') depth--;
            else if (i == list.Length || (list[i] == ',' && depth == 0))
            {
                if (i > start) yield return list[start..i].Trim();
                start = i + 1;
            }
        }
    }
}
