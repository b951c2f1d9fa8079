using System.Globalization;

namespace TpActors.Host.Bench;

/// <summary>Prints bench results: an aligned table, or the one JSON object every bench shares (see DESIGN.md).</summary>
public static class BenchReport
{
    /// <summary>Writes a table: figure, baseline, ratio, and (for message benches) allocated bytes per message for both.</summary>
    public static void WriteTable(TextWriter output, MachineInfo machine, IReadOnlyList<BenchResult> results)
    {
        output.WriteLine($"machine: {machine.Cores} cores, {machine.Cpu}, backend {machine.Backend}");
        bool perMessage = results.Any(r => r.BytesPerMessage is not null);
        int width = Math.Max(18, results.Select(r => r.Name.Length).DefaultIfEmpty(0).Max());
        output.WriteLine($"{"measure".PadRight(width)} {"tpactors",14} {"baseline",14} {"unit",-8} {"ratio",7}" + (perMessage ? $" {"B/msg",7} {"base B/msg",10}" : ""));
        foreach (var r in results)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Name.PadRight(width)} {Figure(r.Value),14} {(r.HasBaseline ? Figure(r.BaselineValue) : "-"),14} {r.Unit,-8} {(r.HasBaseline ? r.Ratio.ToString("0.00", CultureInfo.InvariantCulture) + "x" : "-"),7}") +
                (perMessage ? string.Create(CultureInfo.InvariantCulture, $" {r.BytesPerMessage ?? 0,7:0.0} {r.BaselineBytesPerMessage ?? 0,10:0.0}") : ""));
        }
        foreach (var baseline in results.Where(r => r.HasBaseline).Select(r => r.Baseline).Distinct()) output.WriteLine($"baseline: {baseline}, measured in this run");
        if (results.Any(r => r.LowerIsBetter))
            output.WriteLine($"lower is better (a ratio under 1 is the gain): {string.Join(", ", results.Where(r => r.LowerIsBetter).Select(r => r.Name))}");
        foreach (var baseline in results.Where(r => !r.HasBaseline).Select(r => r.Baseline).Distinct()) output.WriteLine($"no baseline: {baseline}");
    }

    /// <summary>Writes <c>{"machine": {...}, "results": [...]}</c> on one line; a result without a baseline has null baseline_value and ratio.</summary>
    public static void WriteJson(TextWriter output, MachineInfo machine, IReadOnlyList<BenchResult> results)
    {
        var document = new Dictionary<string, object?>
        {
            ["machine"] = new Dictionary<string, object> { ["cores"] = machine.Cores, ["cpu"] = machine.Cpu, ["backend"] = machine.Backend },
            ["results"] = results.Select(r =>
            {
                var entry = new Dictionary<string, object?>
                {
                    ["name"] = r.Name,
                    ["value"] = Round(r.Value),
                    ["unit"] = r.Unit,
                    ["baseline"] = r.Baseline,
                    ["baseline_value"] = r.HasBaseline ? Round(r.BaselineValue) : null,
                    ["ratio"] = r.HasBaseline ? Round(r.Ratio) : null,
                };
                if (r.LowerIsBetter) entry["lower_is_better"] = true;
                if (r.BytesPerMessage is { } bytes) entry["bytes_per_message"] = Math.Round(bytes, 2);
                if (r.BaselineBytesPerMessage is { } baseBytes) entry["baseline_bytes_per_message"] = Math.Round(baseBytes, 2);
                return entry;
            }).ToList(),
        };
        JsonOutput.WriteLine(output, document);
    }

    /// <summary>
    /// A figure for JSON: large rates (messages per second) as integers, small ones (GB/s, GFLOP/s, ratios) to four significant
    /// digits, so a slow figure (0.000312 GB/s on a loaded machine) stays what it was instead of rounding to 0.
    /// </summary>
    internal static double Round(double value)
    {
        if (Math.Abs(value) >= 1000) return Math.Round(value);
        if (value == 0) return 0;
        int decimals = Math.Clamp(3 - (int)Math.Floor(Math.Log10(Math.Abs(value))), 0, 15);
        return Math.Round(value, decimals);
    }

    // The table's figures: thousands grouped, three decimals, or three significant digits below 0.001.
    private static string Figure(double value) =>
        value.ToString(Math.Abs(value) >= 1000 ? "#,0" : value != 0 && Math.Abs(value) < 0.001 ? "0.00e+0" : "0.000", CultureInfo.InvariantCulture);
}
