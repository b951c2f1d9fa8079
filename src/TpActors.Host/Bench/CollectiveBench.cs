using TpActors.Layers.Tensors;
using System.Diagnostics;
using TpActors.Layers.Collectives;
using Akka.Actor;
using TpActors.Runtime.Configuration;
using TpActors.Layers.Ranks;

namespace TpActors.Host.Bench;

/// <summary>
/// <c>tpactors bench collectives</c>: time, algorithm bandwidth and bus bandwidth of the ring collectives between rank actors
/// in one process, with the nccl-tests formulas (algbw = bytes / time; busbw = algbw · 2(n−1)/n for all-reduce and
/// algbw · (n−1)/n for all-gather and reduce-scatter), beside single-thread memcpy bandwidth measured in the same run.
/// </summary>
/// <param name="Ranks">Ranks in the group.</param>
/// <param name="Sizes">Buffer sizes in bytes (the whole buffer: all-reduce's buffer, all-gather's output, reduce-scatter's input).</param>
/// <param name="Iterations">Timed repetitions per operation and size, at least.</param>
/// <param name="MinBytes">Bytes each operation moves per size, at least: small sizes repeat more (see <see cref="IterationsFor"/>).</param>
public sealed record CollectiveBench(int Ranks, IReadOnlyList<long> Sizes, int Iterations, long MinBytes)
{
    // Repetitions per size, at most: a large min-bytes over a tiny size (1 GiB of 4-byte rounds) is cut to this many.
    private const int MaxIterations = 1 << 20;

    /// <summary>The baseline every figure is compared with.</summary>
    public const string Baseline = "single-thread memcpy of the same size";

    private static readonly CollectiveOperation[] Operations = [CollectiveOperation.AllReduce, CollectiveOperation.AllGather, CollectiveOperation.ReduceScatter];

    /// <summary>The settings of <c>tpactors.bench.collectives</c>.</summary>
    public static CollectiveBench FromConfig(HoconConfig config) => new(
        config.GetInt("tpactors.bench.collectives.ranks"),
        config.GetStringList("tpactors.bench.collectives.sizes").Select(ParseSize).ToList(),
        config.GetInt("tpactors.bench.collectives.iterations"),
        config.GetBytes("tpactors.bench.collectives.min-bytes"));

    /// <summary>A size in bytes: a plain number, or with a unit (4KiB, 16MiB).</summary>
    /// <exception cref="ArgumentException">The text is not a size; the message names it and the rule.</exception>
    public static long ParseSize(string text) => ConfigUnits.ParseBytes(text, out string? error) is { } bytes
        ? bytes
        : throw new ArgumentException($"size '{text}' is not a size in bytes such as 4096, 64KiB or 16MiB: {error}.");

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        SettingRules.Require("tpactors.bench.collectives.ranks", Ranks, "--ranks");
        if (Sizes.Count == 0) throw new ArgumentException("sizes is empty; give at least one size in bytes.");
        if (Sizes.Where(s => s < 4 || s > 1L << 30).Select(s => (long?)s).FirstOrDefault() is { } bad)
            throw new ArgumentException($"size {bad} is out of range; use 4 bytes to 1 GiB.");
        SettingRules.Require("tpactors.bench.collectives.iterations", Iterations, "--iterations");
        SettingRules.Require("tpactors.bench.collectives.min-bytes", MinBytes);
        // Each rank holds a buffer of the largest size and its output, and the memcpy baseline two more.
        long largest = Sizes.Max() / sizeof(float);
        new MemoryBudget($"--ranks {Ranks} --sizes up to {ConfigUnits.FormatBytes(Sizes.Max())}").Add("a rank's buffer", 1, largest, 2.0 * Ranks + 2).Check();
    }

    /// <summary>Timed repetitions at <paramref name="bytes"/>: <see cref="Iterations"/>, or enough to move <see cref="MinBytes"/> if that is more.</summary>
    public int IterationsFor(long bytes) => (int)Math.Clamp((MinBytes + bytes - 1) / bytes, Iterations, MaxIterations);

    /// <summary>Untimed repetitions before the timed ones: a tenth of <paramref name="iterations"/>, at least 3.</summary>
    public static int WarmupFor(int iterations) => Math.Max(3, iterations / 10);

    /// <summary>The baseline of a run whose ranks are in different processes.</summary>
    public const string RawTcpBaseline = "raw single-stream TCP between the same processes, same size";

    /// <summary>
    /// Runs every operation at every size, with the ranks in this process, or on the cluster hosts' slots of
    /// <paramref name="placement"/> (each figure then beside a raw TCP transfer between rank 0's and rank 1's processes,
    /// measured in the same run); progress lines go to <paramref name="progress"/>.
    /// </summary>
    public async Task<IReadOnlyList<BenchResult>> Run(ActorSystem system, RankSettings settings, TextWriter progress, IReadOnlyList<Runtime.Cluster.SlotAssignment>? placement = null)
    {
        var results = new List<BenchResult>();
        await using var group = await TensorParallelGroup.StartAsync(system, Ranks, settings, "bench", placement);
        bool processes = placement is not null;
        string baselineColumn = processes ? "raw TCP GB/s" : "memcpy GB/s";
        progress.WriteLine($"{"operation",-15} {"bytes",10} {"iters",7} {"time us",10} {"algbw GB/s",11} {"busbw GB/s",11} {baselineColumn,12} {"ratio",6}");
        foreach (long bytes in Sizes)
        {
            int iterations = IterationsFor(bytes);
            double baseline = processes ? await RawTcp(group, bytes, iterations) : MemcpyBaseline.BytesPerSecond(bytes) / 1e9;
            foreach (var operation in Operations)
            {
                int floats = (int)(bytes / sizeof(float));
                var seconds = await group.AskAll<double>(_ => new TimeCollective(group.Name, operation, floats, iterations, WarmupFor(iterations)));
                double time = seconds.Max() / iterations; // the round ends when its slowest rank is done
                double algbw = bytes / time / 1e9;
                double busbw = algbw * CollectiveSpan.BusFactor(operation, Ranks);
                string name = $"{RoundId.OperationName(operation)} {bytes} busbw";
                results.Add(new BenchResult(name, busbw, "GB/s", processes ? RawTcpBaseline : Baseline, baseline));
                progress.WriteLine($"{RoundId.OperationName(operation),-15} {bytes,10} {iterations,7} {time * 1e6,10:0.0} {algbw,11:0.000} {busbw,11:0.000} {baseline,12:0.000} {busbw / baseline,5:0.00}x");
            }
        }
        return results;
    }

    // GB/s of one TCP stream from rank 0's process to rank 1's, as many transfers as the collectives' rounds.
    private static async Task<double> RawTcp(TensorParallelGroup group, long bytes, int iterations)
    {
        int warmup = WarmupFor(iterations);
        string sink = await group.Ranks[1].Ask<string>(new OpenRawSink(bytes, warmup + iterations), group.Settings.CommandTimeout);
        double seconds = await group.Ranks[0].Ask<double>(new TimeRawSend(sink, bytes, warmup + iterations, iterations), group.Settings.CommandTimeout);
        return bytes * (double)iterations / seconds / 1e9;
    }
}
