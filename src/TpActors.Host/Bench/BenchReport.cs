using System.Globalization;
using System.Text.Json;

namespace TpActors.Host.Bench;

/// <summary>Prints bench results: an aligned table, or the one JSON object every bench shares (see DESIGN.md).</summary>
public static class BenchReport
{
    /// <summary>Writes a table: figure, baseline, ratio, and allocated bytes per message for both.</summary>
    public static void WriteTable(TextWriter output, MachineInfo machine, IReadOnlyList<BenchResult> results)
    {
        output.WriteLine($"machine: {machine.Cores} cores, {machine.Cpu}, backend {machine.Backend}");
        output.WriteLine($"{"pattern",-18} {"tpactors",14} {"baseline",14} {"ratio",7} {"B/msg",7} {"base B/msg",10}");
        foreach (var r in results)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Name,-18} {Rate(r.Value),14} {Rate(r.BaselineValue),14} {r.Ratio,6:0.00}x {r.BytesPerMessage,7:0.0} {r.BaselineBytesPerMessage,10:0.0}"));
        }
        if (results.Count > 0) output.WriteLine($"rates in {results[0].Unit}; baseline: {results[0].Baseline}, measured in this run");
    }

    /// <summary>Writes <c>{"machine": {...}, "results": [...]}</c> on one line.</summary>
    public static void WriteJson(TextWriter output, MachineInfo machine, IReadOnlyList<BenchResult> results)
    {
        var document = new Dictionary<string, object>
        {
            ["machine"] = new Dictionary<string, object> { ["cores"] = machine.Cores, ["cpu"] = machine.Cpu, ["backend"] = machine.Backend },
            ["results"] = results.Select(r => new Dictionary<string, object>
            {
                ["name"] = r.Name,
                ["value"] = Math.Round(r.Value),
                ["unit"] = r.Unit,
                ["baseline"] = r.Baseline,
                ["baseline_value"] = Math.Round(r.BaselineValue),
                ["ratio"] = Math.Round(r.Ratio, 3),
                ["bytes_per_message"] = Math.Round(r.BytesPerMessage, 2),
                ["baseline_bytes_per_message"] = Math.Round(r.BaselineBytesPerMessage, 2),
            }).ToList(),
        };
        output.WriteLine(JsonSerializer.Serialize(document));
    }

    private static string Rate(double perSecond) => perSecond.ToString("#,0", CultureInfo.InvariantCulture);
}
