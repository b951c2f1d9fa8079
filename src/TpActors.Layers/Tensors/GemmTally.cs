using System.Diagnostics;

namespace TpActors.Layers.Tensors;

/// <summary>
/// What a backend's GEMMs have done: floating-point operations (2·m·n·k per product) and the time spent in them, summed
/// since the backend was made. Two readings' difference is a phase's GEMM work; flops over seconds is its GFLOP/s.
/// </summary>
/// <remarks>Invariants: both sums only grow; they are updated with interlocked adds, so a backend shared by threads still counts every product.</remarks>
[DebuggerDisplay("{Flops} flops in {Ticks} ticks")]
public sealed class GemmTally
{
    private long _flops;
    private long _ticks;

    /// <summary>Floating-point operations of every GEMM so far.</summary>
    public long Flops => Interlocked.Read(ref _flops);

    /// <summary><see cref="TimeSpan"/> ticks spent in them.</summary>
    public long Ticks => Interlocked.Read(ref _ticks);

    /// <summary>Counts <paramref name="products"/> products of [m, k]·[k, n] that started at <paramref name="startTimestamp"/> (a <see cref="Stopwatch"/> timestamp) and ended now.</summary>
    public void Add(int m, int n, int k, int products, long startTimestamp)
    {
        Interlocked.Add(ref _flops, 2L * m * n * k * products);
        Interlocked.Add(ref _ticks, Stopwatch.GetElapsedTime(startTimestamp).Ticks);
    }
}
