using System.Diagnostics;
using TpActors.Layers.Tensors;
using Akka.Actor;
using TpActors.Runtime.Configuration;
using TpActors.Layers.Parallel;
using TpActors.Layers.Ranks;

namespace TpActors.Host.Bench;

/// <summary>
/// <c>tpactors bench layers</c>: GEMM GFLOP/s of the backends beside raw OpenBLAS, and ParallelMlp forward + backward at TP=1
/// (one rank, every core to BLAS) beside TP=2 (two rank actors, half the cores each), in the same run.
/// </summary>
/// <param name="GemmSize">n of the square GEMM.</param>
/// <param name="Hidden">MLP width.</param>
/// <param name="Ffn">MLP inner width.</param>
/// <param name="Batch">Rows of the MLP input.</param>
/// <param name="Runs">Timed repetitions; the best counts.</param>
public sealed record LayerBench(int GemmSize, int Hidden, int Ffn, int Batch, int Runs)
{
    /// <summary>The settings of <c>tpactors.bench.layers</c>.</summary>
    public static LayerBench FromConfig(HoconConfig config) => new(
        config.GetInt("tpactors.bench.layers.gemm-size"),
        config.GetInt("tpactors.bench.layers.hidden"),
        config.GetInt("tpactors.bench.layers.ffn"),
        config.GetInt("tpactors.bench.layers.batch"),
        config.GetInt("tpactors.bench.layers.runs"));

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        SettingRules.Require("tpactors.bench.layers.gemm-size", GemmSize);
        SettingRules.Require("tpactors.bench.layers.hidden", Hidden); // at least 2, so TP=2 splits it
        SettingRules.Require("tpactors.bench.layers.ffn", Ffn);
        SettingRules.Require("tpactors.bench.layers.batch", Batch);
        SettingRules.Require("tpactors.bench.layers.runs", Runs);
        // The GEMM's three matrices twice (the backend and the raw OpenBLAS baseline); the MLP at TP=1 and TP=2 at once.
        new MemoryBudget($"gemm-size {GemmSize}, hidden {Hidden}, ffn {Ffn}, batch {Batch}")
            .Add("a GEMM operand", GemmSize, GemmSize, 6)
            .Add("w1", Hidden, Ffn, 8)
            .Add("w2", Ffn, Hidden, 8)
            .Add("the inner activations", Batch, Ffn, 8)
            .Add("the input", Batch, Hidden, 8)
            .Check();
    }

    /// <summary>Floating-point operations of one MLP forward + backward: six GEMMs of batch × hidden × ffn.</summary>
    public double MlpFlops => 6.0 * 2 * Batch * (double)Hidden * Ffn;

    /// <summary>Runs the GEMMs and the two MLP configurations; progress lines go to <paramref name="progress"/>.</summary>
    public async Task<IReadOnlyList<BenchResult>> Run(ActorSystem system, RankSettings settings, TextWriter progress)
    {
        var results = new List<BenchResult>();
        int cores = Environment.ProcessorCount;
        double gemmFlops = 2.0 * GemmSize * GemmSize * (double)GemmSize;

        double? raw = CpuBackend.OpenBlasAvailable ? gemmFlops / BestGemm(CpuBackend.Create(BackendKind.OpenBlas, cores)) / 1e9 : null;
        var chosen = CpuBackend.Create(settings.Backend, cores);
        double backend = gemmFlops / BestGemm(chosen) / 1e9;
        double managed = chosen.Name.StartsWith("managed", StringComparison.Ordinal) ? backend : gemmFlops / BestGemm(CpuBackend.Create(BackendKind.Managed, cores)) / 1e9;
        // The GEMM every figure is held against: raw OpenBLAS, or without it the managed kernel (which then has none itself).
        var (gemmName, gemmBaseline) = raw is { } blas
            ? ($"raw OpenBLAS cblas_sgemm {GemmSize}³, {cores} threads", blas)
            : ($"managed GEMM kernel {GemmSize}³, {cores} threads (OpenBLAS does not load)", managed);
        if (raw is not null)
        {
            results.Add(new BenchResult($"gemm {GemmSize} backend", backend, "GFLOP/s", gemmName, gemmBaseline));
            results.Add(new BenchResult($"gemm {GemmSize} managed", managed, "GFLOP/s", gemmName, gemmBaseline));
        }
        else
        {
            progress.WriteLine($"OpenBLAS does not load ({CpuBackend.Create(BackendKind.Auto, 1).FallbackReason}): GEMM has no raw OpenBLAS baseline in this run.");
            results.Add(new BenchResult($"gemm {GemmSize} managed", managed, "GFLOP/s", $"raw OpenBLAS cblas_sgemm {GemmSize}³ (OpenBLAS does not load)", 0));
        }
        foreach (var r in results) progress.WriteLine($"{r.Name}: {r.Value:0.0} GFLOP/s" + (r.HasBaseline ? $" (baseline {r.BaselineValue:0.0})" : ""));

        double tp1 = MlpFlops / await BestMlp(system, settings, 1) / 1e9;
        progress.WriteLine($"mlp tp=1: {tp1:0.0} GFLOP/s");
        double tp2 = MlpFlops / await BestMlp(system, settings, 2) / 1e9;
        progress.WriteLine($"mlp tp=2: {tp2:0.0} GFLOP/s ({tp2 / tp1:0.00}x of tp=1)");
        string shape = $"hidden {Hidden}, ffn {Ffn}, batch {Batch}";
        results.Add(new BenchResult($"mlp fwd+bwd tp=1", tp1, "GFLOP/s", gemmName, gemmBaseline));
        results.Add(new BenchResult($"mlp fwd+bwd tp=2", tp2, "GFLOP/s", $"ParallelMlp at TP=1 ({shape})", tp1));
        return results;
    }

    // Best seconds of one n×n×n GEMM, after a warm-up call.
    private double BestGemm(CpuBackend backend)
    {
        using var a = Tensor.Uninitialized(GemmSize, GemmSize);
        using var b = Tensor.Uninitialized(GemmSize, GemmSize);
        using var c = Tensor.Zeros(GemmSize, GemmSize);
        a.Span.Fill(0.5f);
        b.Span.Fill(0.25f);
        backend.Gemm(a, false, b, false, c);
        double best = double.MaxValue;
        for (int i = 0; i < Runs; i++)
        {
            var clock = Stopwatch.StartNew();
            backend.Gemm(a, false, b, false, c);
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best;
    }

    // Best seconds of one forward + backward of the MLP on a group of tp ranks, after an untimed step.
    private async Task<double> BestMlp(ActorSystem system, RankSettings settings, int tp)
    {
        await using var group = await TensorParallelGroup.StartAsync(system, tp, settings with { BlasThreads = 0 }, $"bench-tp{tp}");
        await group.AskAll<RankDone>(_ => new CreateLayer("mlp", group.Name, new MlpSpec(Hidden, Ffn, true, Activation.GeluTanh), 1));
        using var x = Tensor.Zeros(Batch, Hidden);
        using var dy = Tensor.Zeros(Batch, Hidden);
        x.Span.Fill(0.1f);
        dy.Span.Fill(0.01f);
        double best = double.MaxValue;
        for (int i = 0; i <= Runs; i++)
        {
            var clock = Stopwatch.StartNew();
            foreach (var reply in await group.AskAll<TensorReply>(_ => new Forward("mlp", x.Clone()))) reply.Tensor.Dispose();
            foreach (var reply in await group.AskAll<TensorReply>(_ => new Backward("mlp", dy.Clone()))) reply.Tensor.Dispose();
            if (i > 0) best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best;
    }
}
