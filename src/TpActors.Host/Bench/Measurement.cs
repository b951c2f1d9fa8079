using System.Diagnostics;

namespace TpActors.Host.Bench;

/// <summary>Times a run and counts the bytes every thread allocated during it.</summary>
/// <param name="Seconds">Wall time.</param>
/// <param name="AllocatedBytes">Bytes allocated by all threads.</param>
public readonly record struct Measurement(double Seconds, long AllocatedBytes)
{
    /// <summary>Runs <paramref name="run"/> once and measures it.</summary>
    public static async Task<Measurement> Of(Func<Task> run)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        await run();
        clock.Stop();
        long after = GC.GetTotalAllocatedBytes(precise: true);
        return new Measurement(clock.Elapsed.TotalSeconds, after - before);
    }

    /// <summary>One untimed warm-up, then the best (fastest) of <paramref name="runs"/> timed runs.</summary>
    public static async Task<Measurement> Best(int runs, Func<Task> run)
    {
        await run();
        Measurement best = default;
        for (int i = 0; i < runs; i++)
        {
            var m = await Of(run);
            if (i == 0 || m.Seconds < best.Seconds) best = m;
        }
        return best;
    }
}
