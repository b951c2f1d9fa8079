using System.Text.Json;
using TpActors.Host.Bench;

namespace TpActors.Host.Tests.Bench;

public sealed class BenchReportTests
{
    private static readonly MachineInfo Machine = new(2, "test cpu", "managed");

    [Fact]
    public void Json_WithoutABaseline_HasNullBaselineValueAndRatio_InsteadOfFailing()
    {
        var results = new[]
        {
            new BenchResult("gemm 256 managed", 101.0, "GFLOP/s", "raw OpenBLAS cblas_sgemm 256³ (OpenBLAS does not load)", 0),
            new BenchResult("mlp fwd+bwd tp=2", 7.4, "GFLOP/s", "ParallelMlp at TP=1", 4.6),
        };
        var output = new StringWriter();
        BenchReport.WriteJson(output, Machine, results);
        using var json = JsonDocument.Parse(output.ToString());
        var entries = json.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(JsonValueKind.Null, entries[0].GetProperty("baseline_value").ValueKind);
        Assert.Equal(JsonValueKind.Null, entries[0].GetProperty("ratio").ValueKind);
        Assert.Equal(101.0, entries[0].GetProperty("value").GetDouble());
        Assert.Equal(1.609, entries[1].GetProperty("ratio").GetDouble());
    }

    [Fact]
    public void Table_WithoutABaseline_ShowsDashes_AndSaysThereIsNone()
    {
        var output = new StringWriter();
        BenchReport.WriteTable(output, Machine, [new BenchResult("gemm 256 managed", 101.0, "GFLOP/s", "raw OpenBLAS (absent)", 0)]);
        string text = output.ToString();
        Assert.DoesNotContain("NaN", text);
        Assert.Matches(@"gemm 256 managed\s+101\.000\s+-\s+GFLOP/s\s+-", text);
        Assert.Contains("no baseline: raw OpenBLAS (absent)", text);
        Assert.DoesNotContain("measured in this run", text);
    }

    [Theory]
    [InlineData(0.000312456, 0.0003125)] // a slow figure keeps four significant digits instead of rounding to 0
    [InlineData(0.0, 0.0)]
    [InlineData(8.91234, 8.912)]
    [InlineData(22.87654, 22.88)]
    [InlineData(999.95, 1000.0)]
    [InlineData(60_616_163.4, 60_616_163.0)] // message rates as integers
    public void Json_Figures_KeepFourSignificantDigits_OrAreWholeNumbers(double value, double expected) =>
        Assert.Equal(expected, BenchReport.Round(value));
}
