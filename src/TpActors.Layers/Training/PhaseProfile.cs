using TpActors.Layers.Collectives;

namespace TpActors.Layers.Training;

/// <summary>
/// What a rank's part of a phase spent its time on besides the result: the GEMMs' floating-point operations and time,
/// and each collective it ran (starts counted from the phase's start). Traces and the dashboard draw it.
/// </summary>
/// <param name="GemmFlops">Floating-point operations of the phase's GEMMs.</param>
/// <param name="GemmTicks"><see cref="TimeSpan"/> ticks spent in them.</param>
/// <param name="Collectives">The phase's collectives, in the order run.</param>
/// <param name="CollectivesDropped">Collectives past what a rank records per phase: counted, not listed.</param>
public sealed record PhaseProfile(long GemmFlops, long GemmTicks, IReadOnlyList<CollectiveSpan> Collectives, int CollectivesDropped = 0)
{
    /// <summary>A phase that ran no GEMM and no collective.</summary>
    public static PhaseProfile Empty { get; } = new(0, 0, []);

    /// <summary>GFLOP/s of the phase's GEMMs while they ran, or null when it ran none.</summary>
    public double? GemmGigaflops => GemmTicks > 0 ? GemmFlops / (GemmTicks / (double)TimeSpan.TicksPerSecond) / 1e9 : null;
}
