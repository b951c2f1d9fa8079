namespace TpActors.Host.Bench;

/// <summary>One measured figure beside its same-run baseline.</summary>
/// <param name="Name">What was measured, e.g. "ping-pong 2 pairs" or "all-reduce 16777216 busbw".</param>
/// <param name="Value">The figure (higher is better, unless <paramref name="LowerIsBetter"/>).</param>
/// <param name="Unit">Its unit, e.g. "msg/s", "GB/s", "GFLOP/s".</param>
/// <param name="Baseline">What the baseline is.</param>
/// <param name="BaselineValue">The baseline's figure, measured in the same run, in the same unit; 0 when it could not be measured.</param>
/// <param name="BytesPerMessage">Bytes allocated per message by the measured code, for message benches.</param>
/// <param name="BaselineBytesPerMessage">Bytes allocated per message by the baseline, for message benches.</param>
/// <param name="LowerIsBetter">True for a cost such as bytes kept in memory, where a ratio under 1 is the gain.</param>
public sealed record BenchResult(string Name, double Value, string Unit, string Baseline, double BaselineValue,
    double? BytesPerMessage = null, double? BaselineBytesPerMessage = null, bool LowerIsBetter = false)
{
    /// <summary>False when the baseline could not be measured in this run (OpenBLAS absent): <see cref="BaselineValue"/> is 0 then.</summary>
    public bool HasBaseline => BaselineValue > 0;

    /// <summary>Value over baseline value; NaN without a baseline.</summary>
    public double Ratio => HasBaseline ? Value / BaselineValue : double.NaN;
}
