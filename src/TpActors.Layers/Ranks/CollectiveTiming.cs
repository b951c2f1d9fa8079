using System.Diagnostics;
using TpActors.Layers.Collectives;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Ranks;

/// <summary>Times one collective on a rank's own thread: warm-up rounds, a barrier so every rank starts together, then the timed rounds.</summary>
public static class CollectiveTiming
{
    /// <summary>Seconds <paramref name="iterations"/> rounds of <paramref name="operation"/> over <paramref name="floats"/> floats took at this rank.</summary>
    public static double Time(Communicator group, CollectiveOperation operation, int floats, int iterations, int warmup)
    {
        int[] counts = Partition.Sizes(floats, group.Size);
        var whole = new float[floats];
        var part = new float[counts[group.Rank]];
        Array.Fill(whole, 1f);
        Array.Fill(part, 1f);
        void Once()
        {
            switch (operation)
            {
                case CollectiveOperation.AllReduce: group.AllReduce(whole); break;
                case CollectiveOperation.AllGather: group.AllGather(part, whole, counts); break;
                case CollectiveOperation.ReduceScatter: group.ReduceScatter(whole, part, counts); break;
                default: throw new ArgumentOutOfRangeException(nameof(operation), operation, "Only all-reduce, all-gather and reduce-scatter are timed.");
            }
        }
        for (int i = 0; i < warmup; i++) Once();
        group.Barrier();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < iterations; i++) Once();
        return clock.Elapsed.TotalSeconds;
    }
}
