using System.Diagnostics;

namespace TpActors.Host.Bench;

/// <summary>Single-thread memory copy bandwidth for a buffer of a given size: the yardstick for moving bytes on this machine.</summary>
public static class MemcpyBaseline
{
    /// <summary>Bytes per second copying <paramref name="bytes"/> bytes from one buffer to another, best of several timed batches.</summary>
    public static double BytesPerSecond(long bytes)
    {
        int floats = (int)Math.Max(1, bytes / sizeof(float));
        var source = GC.AllocateUninitializedArray<float>(floats, pinned: true);
        var destination = GC.AllocateUninitializedArray<float>(floats, pinned: true);
        Array.Fill(source, 1f);
        // Enough copies per batch to last about a millisecond even for small buffers.
        int copies = (int)Math.Clamp(64L * 1024 * 1024 / Math.Max(bytes, 1), 1, 100_000);
        double best = double.MaxValue;
        for (int batch = 0; batch < 5; batch++)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < copies; i++) source.AsSpan().CopyTo(destination);
            best = Math.Min(best, clock.Elapsed.TotalSeconds / copies);
        }
        return floats * (double)sizeof(float) / best;
    }
}
