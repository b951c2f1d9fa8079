using Akka.Actor;
using TpActors.Layers.Checkpoints;
using TpActors.Layers.Models;
using TpActors.Layers.Text;
using TpActors.Layers.Training;
using TpActors.Runtime.Configuration;

namespace TpActors.Host.Bench;

/// <summary>
/// <c>tpactors bench train --model gpt</c>: tokens/s of the GPT of <c>tpactors.training.gpt</c> (nanoGPT's baby GPT) at TP=1
/// beside the same model in plain PyTorch on this machine (the same initial weights, batches and optimizer; the best of one
/// thread and every core, as PyTorch's small models often run fastest on one), and at TP=2 beside TP=1. Same run, alternating.
/// </summary>
/// <param name="Steps">Steps per timed run; the first is not timed.</param>
/// <param name="Runs">Timed runs of each configuration; the best counts.</param>
public sealed record GptTrainBench(int Steps, int Runs)
{
    /// <summary>The settings of <c>tpactors.bench.training.gpt</c>.</summary>
    public static GptTrainBench FromConfig(HoconConfig config) =>
        new(config.GetInt("tpactors.bench.training.gpt.steps"), config.GetInt("tpactors.bench.training.gpt.runs"));

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range, or a GPT that cannot be trained here.</summary>
    public void Validate(TrainingOptions gpt)
    {
        SettingRules.Require("tpactors.bench.training.gpt.steps", Steps);
        SettingRules.Require("tpactors.bench.training.gpt.runs", Runs);
        Options(gpt, 2).Validate();
    }

    /// <summary>Runs the configurations; progress lines go to <paramref name="progress"/>.</summary>
    public async Task<IReadOnlyList<BenchResult>> Run(ActorSystem system, TrainingOptions gpt, TextWriter progress)
    {
        var model = (GptModelSpec)gpt.Model;
        long tokensPerStep = (long)gpt.Task.Batch * model.Context;
        var text = TextSummary.Of(model.Text, model.Context);
        string? missing = PyTorchPeer.Missing();
        if (missing is not null) progress.WriteLine($"PyTorch is not measured: {missing}.");
        using var scratch = new ScratchDirectory();
        string init = Path.Combine(scratch.Path, "init.safetensors");
        if (missing is null)
        {
            // The PyTorch peer starts from this run's own initial weights: step 0 of the seed, exported.
            string checkpoints = Path.Combine(scratch.Path, "checkpoints");
            await TrainingRun.RunAsync(system, Options(gpt, 1) with { Steps = 0, CheckpointDirectory = checkpoints });
            using var checkpoint = Checkpoint.Load(checkpoints);
            CheckpointExport.Write(checkpoint, init);
        }

        int cores = Environment.ProcessorCount;
        double tp1 = 0, tp2 = 0, torch = 0;
        int torchThreads = 1;
        for (int run = 0; run < Runs; run++)
        {
            double one = tokensPerStep * await TrainBench.StepsPerSecond(system, Options(gpt, 1));
            double two = tokensPerStep * await TrainBench.StepsPerSecond(system, Options(gpt, 2));
            string line = $"run {run + 1}: TpActors {one:#,0} tokens/s at TP=1, {two:#,0} at TP=2";
            (tp1, tp2) = (Math.Max(tp1, one), Math.Max(tp2, two));
            if (missing is null)
                foreach (int threads in cores > 1 ? new[] { 1, cores } : [1])
                {
                    double peer = tokensPerStep / PyTorchPeer.Train(init, text.TokenFile, Steps, threads).SecondsPerStep;
                    line += $"; PyTorch {peer:#,0} with {threads} thread{(threads == 1 ? "" : "s")}";
                    if (peer > torch) (torch, torchThreads) = (peer, threads);
                }
            progress.WriteLine(line);
        }
        string shape = $"{model.Layers} layers, hidden {model.Hidden}, heads {model.Heads}, context {model.Context}, batch {gpt.Task.Batch}, vocab {model.Vocab}";
        return
        [
            new BenchResult($"gpt tokens/s tp=1 ({shape})", tp1, "tokens/s",
                missing is null ? $"the same GPT in plain PyTorch (same weights, batches, AdamW), best of 1 and {cores} threads: {torchThreads}" : $"plain PyTorch ({missing})", torch),
            new BenchResult("gpt tokens/s tp=2", tp2, "tokens/s", "TpActors at TP=1", tp1),
        ];
    }

    // The timed run: the GPT at `tp` ranks, no evaluation, checkpoints, resume or faults.
    private TrainingOptions Options(TrainingOptions gpt, int tp) => gpt with
    {
        Tp = tp,
        Steps = Steps,
        EvalBatches = 0,
        CheckpointDirectory = null,
        ResumeFrom = null,
        Faults = [],
    };

    // A temporary directory, deleted with what is in it.
    private sealed class ScratchDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("tpactors-bench-").FullName;

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // Left behind under the temp directory; nothing depends on it.
            }
        }
    }
}
