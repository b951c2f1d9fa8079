using System.Diagnostics;
using TpActors.Layers.Tensors;
using Akka.Actor;
using TpActors.Runtime.Configuration;
using TpActors.Layers.Parallel;
using TpActors.Layers.Ranks;
using TpActors.Layers.Sharding;

namespace TpActors.Host.Bench;

/// <summary>
/// <c>tpactors bench layers</c>: GEMM GFLOP/s of the backends beside raw OpenBLAS, then a layer's forward + backward at TP=1
/// (one rank, every core to BLAS) as a share of that GEMM peak, beside TP=2 (two rank actors, half the cores each), and the
/// bytes each rank keeps from forward to backward; for the transformer block also TP=2 with sequence parallelism. One run.
/// </summary>
/// <param name="GemmSize">n of the square GEMM.</param>
/// <param name="Model">The layer timed: "mlp" or "block".</param>
/// <param name="Mlp">The MLP's sizes.</param>
/// <param name="Block">The transformer block's sizes.</param>
/// <param name="Runs">Timed repetitions; the best counts.</param>
public sealed record LayerBench(int GemmSize, string Model, LayerBench.MlpShape Mlp, LayerBench.BlockShape Block, int Runs)
{
    /// <summary>The models <c>--model</c> takes.</summary>
    public static readonly string[] Models = ["mlp", "block"];

    /// <summary>A ParallelMlp of <paramref name="Hidden"/> → <paramref name="Ffn"/> → hidden over <paramref name="Batch"/> rows.</summary>
    public sealed record MlpShape(int Hidden, int Ffn, int Batch);

    /// <summary>A pre-LN transformer block (MLP 4 × hidden wide) over <paramref name="Batch"/> sequences of <paramref name="Context"/> tokens.</summary>
    public sealed record BlockShape(int Hidden, int Heads, int Context, int Batch)
    {
        /// <summary>Rows of the block's input: every sequence's tokens.</summary>
        public int Tokens => Batch * Context;

        /// <summary>The MLP's inner width.</summary>
        public int Ffn => 4 * Hidden;
    }

    /// <summary>The settings of <c>tpactors.bench.layers</c>.</summary>
    public static LayerBench FromConfig(HoconConfig config) => new(
        config.GetInt("tpactors.bench.layers.gemm-size"),
        config.GetString("tpactors.bench.layers.model"),
        new MlpShape(config.GetInt("tpactors.bench.layers.hidden"), config.GetInt("tpactors.bench.layers.ffn"), config.GetInt("tpactors.bench.layers.batch")),
        new BlockShape(config.GetInt("tpactors.bench.layers.block.hidden"), config.GetInt("tpactors.bench.layers.block.heads"),
            config.GetInt("tpactors.bench.layers.block.context"), config.GetInt("tpactors.bench.layers.block.batch")),
        config.GetInt("tpactors.bench.layers.runs"));

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        SettingRules.Require("tpactors.bench.layers.gemm-size", GemmSize);
        SettingRules.Require("tpactors.bench.layers.model", Model, "--model");
        SettingRules.Require("tpactors.bench.layers.runs", Runs);
        var budget = new MemoryBudget($"gemm-size {GemmSize}, {Shape}").Add("a GEMM operand", GemmSize, GemmSize, 6); // twice A, B and C
        if (Model == "block")
        {
            SettingRules.Require("tpactors.bench.layers.block.hidden", Block.Hidden);
            SettingRules.Require("tpactors.bench.layers.block.heads", Block.Heads); // at least 2, so TP=2 splits them
            SettingRules.Require("tpactors.bench.layers.block.context", Block.Context);
            SettingRules.Require("tpactors.bench.layers.block.batch", Block.Batch);
            ParallelSelfAttention.RequireSizes(Block.Hidden, Block.Heads, Block.Context, 2);
            // Weights, gradients and Adam-free state at TP=1; activations of one step: ~12 [N, h], ~6 [N, ffn] and the scores twice.
            budget.Add("the block's weights and gradients", Block.Hidden, 12L * Block.Hidden, 2)
                .Add("the block's activations", Block.Tokens, Block.Hidden, 12)
                .Add("the MLP's activations", Block.Tokens, Block.Ffn, 6)
                .Add("the attention scores", (long)Block.Batch * Block.Heads * Block.Context, Block.Context, 3);
        }
        else
        {
            SettingRules.Require("tpactors.bench.layers.hidden", Mlp.Hidden); // at least 2, so TP=2 splits it
            SettingRules.Require("tpactors.bench.layers.ffn", Mlp.Ffn);
            SettingRules.Require("tpactors.bench.layers.batch", Mlp.Batch);
            budget.Add("w1", Mlp.Hidden, Mlp.Ffn, 8)
                .Add("w2", Mlp.Ffn, Mlp.Hidden, 8)
                .Add("the inner activations", Mlp.Batch, Mlp.Ffn, 8)
                .Add("the input", Mlp.Batch, Mlp.Hidden, 8);
        }
        budget.Check();
    }

    /// <summary>The timed layer's sizes, in words.</summary>
    public string Shape => Model == "block"
        ? $"block hidden {Block.Hidden}, heads {Block.Heads}, context {Block.Context}, batch {Block.Batch}"
        : $"MLP hidden {Mlp.Hidden}, ffn {Mlp.Ffn}, batch {Mlp.Batch}";

    /// <summary>
    /// Floating-point operations of one forward + backward of the timed layer, as Megatron-LM counts them: backward is twice
    /// forward; the MLP is two GEMMs of rows × hidden × ffn; the block adds Q, K, V and the output projection (4·N·h² GEMM
    /// terms) and per sequence Q·Kᵀ and P·V over every head (2·T²·h each; the causal mask is not subtracted, the kernels
    /// compute the whole square).
    /// </summary>
    public double Flops => Model == "block"
        ? 3 * (2.0 * Block.Tokens * Block.Hidden * (4.0 * Block.Hidden + 2.0 * Block.Ffn) + 4.0 * Block.Batch * Block.Context * (double)Block.Context * Block.Hidden)
        : 3 * (2.0 * 2 * Mlp.Batch * (double)Mlp.Hidden * Mlp.Ffn);

    /// <summary>Runs the GEMMs and the layer's configurations; progress lines go to <paramref name="progress"/>.</summary>
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

        var tp1 = await BestStep(system, settings, 1, sequenceParallel: false, progress);
        var tp2 = await BestStep(system, settings, 2, sequenceParallel: false, progress);
        results.Add(new BenchResult($"{Model} fwd+bwd tp=1", tp1.GigaFlops, "GFLOP/s", gemmName, gemmBaseline));
        results.Add(new BenchResult($"{Model} fwd+bwd tp=2", tp2.GigaFlops, "GFLOP/s", $"{Model} at TP=1 ({Shape})", tp1.GigaFlops));
        Step? sp = Model == "block" ? await BestStep(system, settings, 2, sequenceParallel: true, progress) : null;
        if (sp is not null)
            results.Add(new BenchResult($"{Model} fwd+bwd tp=2 sp", sp.GigaFlops, "GFLOP/s", $"{Model} at TP=2 without sequence parallelism", tp2.GigaFlops));
        results.Add(new BenchResult($"{Model} kept per rank tp=2", tp2.KeptMiB, "MiB", $"{Model} at TP=1, kept from forward to backward", tp1.KeptMiB, LowerIsBetter: true));
        if (sp is not null)
            results.Add(new BenchResult($"{Model} kept per rank tp=2 sp", sp.KeptMiB, "MiB", $"{Model} at TP=2 without sequence parallelism, kept per rank", tp2.KeptMiB, LowerIsBetter: true));
        return results;
    }

    // One configuration's best forward + backward and the largest rank's bytes kept between them.
    private sealed record Step(double GigaFlops, double KeptMiB);

    // Best seconds of one forward + backward on a group of tp ranks, after an untimed step that also reads what each rank
    // keeps for backward: the layer's own tensors and its input (which the rank holds until backward).
    private async Task<Step> BestStep(ActorSystem system, RankSettings settings, int tp, bool sequenceParallel, TextWriter progress)
    {
        string label = $"{Model} tp={tp}{(sequenceParallel ? " sp" : "")}";
        await using var group = await TensorParallelGroup.StartAsync(system, tp, settings with { BlasThreads = 0 }, $"bench-tp{tp}{(sequenceParallel ? "-sp" : "")}");
        var (spec, rows, cols) = Model == "block"
            ? ((LayerSpec)new BlockSpec(Block.Hidden, Block.Heads, Block.Ffn, Block.Context, Bias: true, Activation.GeluTanh, 1e-5f, sequenceParallel ? Block.Tokens : 0),
                Block.Tokens, Block.Hidden)
            : (new MlpSpec(Mlp.Hidden, Mlp.Ffn, true, Activation.GeluTanh), Mlp.Batch, Mlp.Hidden);
        await group.AskAll<RankDone>(_ => new CreateLayer(Model, group.Name, spec, 1));
        using var x = Tensor.Uninitialized(rows, cols);
        using var dy = Tensor.Uninitialized(rows, cols);
        MasterWeights.FillUniform(x, 5, "bench.x", 0, 0, cols, 1);
        MasterWeights.FillUniform(dy, 5, "bench.dy", 0, 0, cols, 0.01f);
        // Under sequence parallelism each rank is given its rows of the batch (and of the output's gradient).
        Tensor Part(Tensor full, int rank) => sequenceParallel
            ? full.RowBlock(Partition.Start(rows, tp, rank), Partition.Size(rows, tp, rank)).Clone()
            : full.Clone();

        double best = double.MaxValue;
        long kept = 0;
        for (int i = 0; i <= Runs; i++)
        {
            var clock = Stopwatch.StartNew();
            foreach (var reply in await group.AskAll<TensorReply>(r => new Forward(Model, Part(x, r)))) reply.Tensor.Dispose();
            if (i == 0)
            {
                long[] saved = await group.AskAll<long>(_ => new GetSavedBytes(Model));
                kept = Enumerable.Range(0, tp).Max(r => saved[r] + (long)(sequenceParallel ? Partition.Size(rows, tp, r) : rows) * cols * sizeof(float));
            }
            foreach (var reply in await group.AskAll<TensorReply>(r => new Backward(Model, Part(dy, r)))) reply.Tensor.Dispose();
            if (i > 0) best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        var step = new Step(Flops / best / 1e9, kept / (1024.0 * 1024.0));
        progress.WriteLine($"{label}: {step.GigaFlops:0.0} GFLOP/s, {step.KeptMiB:0.0} MiB kept per rank from forward to backward");
        return step;
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
}
