using TpActors.Runtime.Cluster;
using TpActors.Runtime.Configuration;
using TpActors.Layers.Tensors;
using System.CommandLine;
using TpActors.Host.Train;
using TpActors.Host.Dashboard;
using Akka.Actor;
using TpActors.Host.Cluster;
using TpActors.Layers.Models;
using TpActors.Layers.Data;
using TpActors.Layers.Optimizers;
using TpActors.Layers.Checkpoints;
using TpActors.Layers.Training;
using TpActors.Layers.Text;

namespace TpActors.Host.Commands;

/// <summary><c>tpactors train</c>: trains residual MLP blocks on rank actors under the training supervisor, recovering failed ranks, and prints a digest of the weights.</summary>
public static class TrainCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CommandContext context)
    {
        var options = new ConfigOptions();
        var tp = new Option<int?>("--tp") { Description = SettingHelp.Describe("Ranks in the tensor-parallel group", "tpactors.training.tp"), HelpName = "N" };
        var layers = new Option<int?>("--layers") { Description = SettingHelp.Describe("Residual MLP blocks", "tpactors.training.layers"), HelpName = "L" };
        var hidden = new Option<int?>("--hidden") { Description = SettingHelp.Describe("Model width; need not divide by tp", "tpactors.training.hidden"), HelpName = "H" };
        var ffn = new Option<int?>("--ffn") { Description = SettingHelp.Describe("Each block's inner width", "tpactors.training.ffn"), HelpName = "F" };
        var activation = VerifyCommand.ActivationOption("tpactors.training.activation");
        var batch = new Option<int?>("--batch") { Description = SettingHelp.Describe("Rows per step", "tpactors.training.batch"), HelpName = "B" };
        var steps = new Option<long?>("--steps") { Description = SettingHelp.Describe("Train until this step, counted from the start also when resuming", "tpactors.training.steps"), HelpName = "S" };
        var optimizer = new OptimizerOptions();
        var seed = new Option<long?>("--seed") { Description = SettingHelp.Describe("Seed of the data, the teacher and the initial weights", "tpactors.training.seed"), HelpName = "S" };
        var checkpointDir = new Option<string?>("--checkpoint-dir")
        {
            Description = "Write safetensors checkpoints here: one file per rank plus metadata.json per step directory, and 'latest'. " +
                "A directory belongs to one run and one process at a time (it is locked). With --resume, defaults to the directory resumed from.",
            HelpName = "D",
        }.Path();
        var checkpointEvery = new Option<int?>("--checkpoint-every") { Description = SettingHelp.Describe("Checkpoint every K steps, and after the last", "tpactors.training.checkpoint-every"), HelpName = "K" };
        var resume = new Option<string?>("--resume")
        {
            Description = "Resume from a checkpoint directory (its latest step) or a step directory. Sizes, seed and optimizer not given are taken from it; " +
                "given ones must match it. Another --tp reshards. 'auto' resumes from --checkpoint-dir when it holds a checkpoint, else starts fresh " +
                "(write ./auto for a directory of that name).",
            HelpName = "D",
        }.Path();
        var fault = new Option<string[]>("--fault")
        {
            Description = $"Inject a fault: {FaultSpec.Syntax}, e.g. 1:20:backward. Phases: {string.Join(", ", TrainingPhases.Injectable.Select(TrainingPhases.Name))}. " +
                "Each fires once; repeat it to make it fire on the replays too. kill ends the process (midway through a checkpoint file in the checkpoint phase).",
            HelpName = "rank:step:phase[:kind]",
        };
        var check = new Option<bool>("--check") { Description = "Also train at TP=1 on the same data and report the largest weight difference; exit 1 when it exceeds --check-tolerance." };
        var checkTolerance = new Option<float?>("--check-tolerance") { Description = SettingHelp.Describe("The largest absolute weight difference --check passes", "tpactors.training.check-tolerance"), HelpName = "X" }.Float32();
        var json = new Option<bool>("--json") { Description = "Print the summary as one JSON object on stdout (progress goes to stderr)." };
        var cluster = ClusterOption.Create();
        var modelKind = new Option<string?>("--model")
        {
            Description = SettingHelp.Describe("What to train: mlp-stack (residual MLP blocks on a synthetic task) or gpt (a GPT on text; sized by " +
                "--layers --hidden --heads --context --batch, read with --data and --tokenizer)", "tpactors.training.model"),
            HelpName = "mlp-stack|gpt",
        };
        modelKind.AcceptOnlyFromAmong(MlpStackSpec.KindName, GptModelSpec.KindName);
        var evalEvery = new Option<int?>("--eval-every") { Description = "Measure the loss on held-out batches every K steps and after the last; 0: after the last only (default: tpactors.training.gpt.eval-every for a GPT, tpactors.training.eval-every otherwise).", HelpName = "K" };
        var evalBatches = new Option<int?>("--eval-batches") { Description = "Held-out batches per evaluation; 0: none (default: tpactors.training.gpt.eval-batches for a GPT, tpactors.training.eval-batches otherwise).", HelpName = "N" };
        var gpt = new GptTrainOptions();
        var dashboard = new DashboardOptions("loss and validation, speed, the cluster's members, a timeline of each rank's phases and their " +
            "collectives, GEMM GFLOP/s per rank, bandwidth per link, recoveries, settings");
        var traceFile = new Option<string?>("--trace")
        {
            Description = "Write the run's timeline as a Chrome trace (JSON trace events, as PyTorch's profiler writes; open it in Perfetto or chrome://tracing): " +
                "one process per host, one thread per rank, each phase as the rank timed it nested in its step, recoveries marked.",
            HelpName = "FILE",
        };

        var command = new Command("train",
            "Train a stack of residual Megatron MLP blocks on a synthetic regression task with N rank actors under the training supervisor. " +
            "A failed rank is restored from the last snapshot and the step replayed, so the weights end bit-identical to a run without faults; " +
            "the summary ends with their SHA-256.");
        options.AddTo(command);
        foreach (var option in new Option[] { modelKind, tp, layers, hidden, ffn, activation, batch, steps }.Concat(optimizer.All).Append(seed).Concat(gpt.All)
            .Concat([evalEvery, evalBatches, checkpointDir, checkpointEvery, resume, fault, check, checkTolerance, traceFile, .. dashboard.All, json, cluster]))
            command.Options.Add(option);
        command.SetAction(parse => context.Guard(parse, () =>
        {
            var loaded = options.Load(parse);
            foreach (var warning in loaded.Warnings) context.Error.WriteLine($"warning: {warning}");
            TrainingOptions run;
            TextSummary? text = null;
            System.Net.IPEndPoint? pageAt = null;
            try
            {
                string? resumeFrom = ResumeFrom(parse.GetValue(resume), parse.GetValue(checkpointDir));
                var defaults = TrainingOptions.FromConfig(loaded.Config, parse.GetValue(modelKind) ?? loaded.Config.GetString("tpactors.training.model"));
                if (resumeFrom is not null) defaults = FromCheckpoint(defaults, resumeFrom, loaded.Config);
                if (parse.GetValue(modelKind) is { } kind && kind != defaults.Model.Kind)
                    throw new ArgumentException($"--model {kind}: the checkpoint holds a {defaults.Model.Kind} ({defaults.Model.Summary}).");
                var task = defaults.Task with { Batch = parse.GetValue(batch) ?? defaults.Task.Batch, Seed = parse.GetValue(seed) ?? defaults.Task.Seed };
                ModelSpec model = defaults.Model switch
                {
                    MlpStackSpec when gpt.FirstGiven(parse) is { } given =>
                        throw new ArgumentException($"{given.Name} sizes a GPT; the run's model is the residual MLP stack (--model gpt trains a GPT)."),
                    MlpStackSpec mlp => mlp with
                    {
                        Layers = parse.GetValue(layers) ?? mlp.Layers,
                        Hidden = parse.GetValue(hidden) ?? mlp.Hidden,
                        Ffn = parse.GetValue(ffn) ?? mlp.Ffn,
                        Activation = parse.GetValue(activation) is { } activationName ? ActivationNames.Parse(activationName) : mlp.Activation,
                    },
                    GptModelSpec when parse.GetResult(ffn) is { Implicit: false } =>
                        throw new ArgumentException("--ffn sizes the residual MLP stack; a GPT's MLP is 4 × --hidden wide."),
                    GptModelSpec g => gpt.Apply(parse, g with
                    {
                        Layers = parse.GetValue(layers) ?? g.Layers,
                        Hidden = parse.GetValue(hidden) ?? g.Hidden,
                        Activation = parse.GetValue(activation) is { } activationName ? ActivationNames.Parse(activationName) : g.Activation,
                    }, task.Batch, resuming: resumeFrom is not null, loaded.Config.GetBoolean("tpactors.training.gpt.sequence-parallel")),
                    var other when new Option[] { layers, hidden, ffn, activation }.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false }) is { } given =>
                        throw new ArgumentException($"{given.Name} sizes the residual MLP stack; the run's model is a {other.Kind} ({other.Summary})."),
                    var other => other,
                };
                var optimizerSpec = optimizer.Apply(parse, defaults.Optimizer);
                run = defaults with
                {
                    Tp = parse.GetValue(tp) ?? defaults.Tp,
                    Model = model,
                    Task = task,
                    Optimizer = optimizerSpec,
                    Steps = parse.GetValue(steps) ?? defaults.Steps,
                    CheckpointEvery = parse.GetValue(checkpointEvery) ?? defaults.CheckpointEvery,
                    EvalEvery = parse.GetValue(evalEvery) ?? defaults.EvalEvery,
                    EvalBatches = parse.GetValue(evalBatches) ?? defaults.EvalBatches,
                    ResumeFrom = resumeFrom,
                    Faults = (parse.GetValue(fault) ?? []).Select(FaultSpec.Parse).ToList(),
                    KeepFinalState = parse.GetValue(check),
                    // A cluster's hosts write checkpoint files under the same path: one the driver and the hosts share.
                    CheckpointDirectory = CheckpointTarget(parse.GetValue(checkpointDir) ?? (resumeFrom is not null ? CheckpointRoot(resumeFrom) : null), parse.GetValue(cluster)),
                };
                run.Validate(onCluster: parse.GetValue(cluster) is not null);
                if (parse.GetValue(checkTolerance) is { } tolerance) SettingRules.Require("tpactors.training.check-tolerance", tolerance, "--check-tolerance");
                // A GPT's text is tokenized (once per machine) and checked before any rank starts: too short a text is named here.
                if (run.Model is GptModelSpec gptModel) text = TextSummary.Of(gptModel.Text, gptModel.Context);
                if (parse.GetValue(traceFile) is { } tracePath) ChromeTrace.RequireWritable(tracePath);
                pageAt = dashboard.Endpoint(parse);
            }
            catch (Exception e) when (IsBadInput(e))
            {
                return Refuse(e);
            }

            var progress = new ProgressDisplay(context.Error, interactive: ReferenceEquals(context.Error, Console.Error) && !Console.IsErrorRedirected)
            {
                TokensPerStep = run.Model is GptModelSpec tokens ? (long)run.Task.Batch * tokens.Context : 0,
            };
            if (ClusterJob.TryStart(loaded.Config, parse.GetValue(cluster), run.Tp, "train", context.Error, out var job) is { } joinError)
                return context.Fail(parse, ExitCodes.Failure, $"tpactors train: {joinError}");
            if (job is not null) run = run with { Placement = job.Lease.Ranks, Placer = job.Lease };
            using var system = job?.System ?? JitProfile.CreateActorSystem("tpactors", loaded.Config);
            using var leaving = job is null ? null : new JobEnd(job);
            using var interrupts = new Interrupts(context.Error);
            TrainingResult result;
            TrainCheck? checkResult = null;
            var trace = parse.GetValue(traceFile) is null ? null : new ChromeTrace();
            DashboardSession? page = null;
            try
            {
                page = pageAt is null ? null : DashboardSession.StartAsync(pageAt, system, DashboardSession.SettingsOf(run), job is null ? run.Tp : null, context.Error).GetAwaiter().GetResult();
            }
            catch (IOException e)
            {
                return context.Fail(parse, ExitCodes.Failure, $"tpactors train: {e.Message}", e);
            }
            using var closing = page is null ? null : new PageEnd(page);
            try
            {
                var observer = trace is null ? progress.Observer : TrainingObserver.Both(progress.Observer, trace.Observer);
                if (page is not null) observer = TrainingObserver.Both(observer, page.Observer);
                try
                {
                    result = TrainingRun.RunAsync(system, run, observer, interrupts.Token).GetAwaiter().GetResult();
                }
                finally
                {
                    trace?.Write(parse.GetValue(traceFile)!); // a failed run's timeline too: that is when it is wanted
                }
                if (parse.GetValue(check) && !result.Stopped)
                {
                    progress.Close();
                    context.Error.WriteLine("check: training again at TP=1 on the same data");
                    // From the very step directory the run resumed from: a resumed run has written newer steps (and `latest`) since.
                    var single = TrainingRun.RunAsync(system, run with { Tp = 1, Faults = [], Placement = null, CheckpointDirectory = null, ResumeFrom = result.Resumed?.Directory ?? run.ResumeFrom },
                        stop: interrupts.Token).GetAwaiter().GetResult();
                    if (single.Stopped) context.Error.WriteLine("check: interrupted; the run itself finished, its summary follows");
                    else checkResult = CheckAgainst(single);
                }
            }
            catch (TrainingFailedException e)
            {
                progress.Close();
                return context.Fail(parse, ExitCodes.Failure, $"tpactors train: {e.Message}", e, details: TrainPrinter.FailureDetails(e));
            }
            catch (Exception e) when (IsBadInput(e))
            {
                progress.Close();
                return Refuse(e);
            }
            progress.Close();
            if (page is not null && dashboard.Keep(parse)) interrupts.StopListening(); // Ctrl-C now closes the page, not a run
            page?.FinishAsync(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{result.Steps - result.StartStep} steps, final loss {result.FinalLoss:0.000000}, {result.Recoveries.Count} recover{(result.Recoveries.Count == 1 ? "y" : "ies")}, weights sha256 {result.WeightsSha256}"),
                dashboard.Keep(parse), context.Error).GetAwaiter().GetResult();
            if (parse.GetValue(json)) TrainPrinter.WriteJson(context.Out, run, result, checkResult, text);
            else TrainPrinter.WriteSummary(context.Out, run, result, checkResult, text);
            if (result.Stopped)
            {
                context.Error.WriteLine(result.Checkpoints.Count > 0
                    ? $"stopped after step {result.Steps}; resume with: tpactors train --resume {result.Checkpoints[^1]} --steps {run.Steps}"
                    : $"stopped after step {result.Steps}; nothing was saved (no --checkpoint-dir).");
                return interrupts.ExitCode ?? ExitCodes.Failure;
            }
            if (interrupts.ExitCode is { } interrupted) return interrupted; // during --check
            if (checkResult is { Passed: false })
            {
                context.Error.WriteLine($"tpactors train: check failed: {checkResult}."); // the summary (JSON or text) is already out
                return ExitCodes.Failure;
            }
            return ExitCodes.Success;

            // Options that cannot be (a usage error), or a checkpoint or directory that cannot be used (bad input).
            int Refuse(Exception e) => e is ArgumentException
                ? context.Fail(parse, ExitCodes.Usage, $"tpactors: {e.Message}", e)
                : context.Fail(parse, ExitCodes.Failure, $"tpactors train: {e.Message}", e);

            // The largest weight difference between this run and the TP=1 one, held to the tolerance.
            TrainCheck CheckAgainst(TrainingResult single) => new(
                LargestDifference(single.FinalState!.Where(t => !run.Optimizer.IsSlot(t.Key)).SelectMany(t => t.Value.ToArray().Zip(result.FinalState![t.Key].ToArray()))),
                parse.GetValue(checkTolerance) ?? loaded.Config.GetSingle("tpactors.training.check-tolerance"));
        }));
        return command;
    }

    // Where checkpoints go. A cluster's hosts write their files under the path they are given, from their own working
    // directories: they get it absolute (a path the driver and the hosts share).
    private static string? CheckpointTarget(string? directory, string? cluster)
    {
        if (cluster is not null) NodeAddress.ParseTarget(cluster, "--cluster"); // a slip in the address is a usage error
        return directory is not null && cluster is not null ? Path.GetFullPath(directory) : directory;
    }

    private static bool IsBadInput(Exception e) => e is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException;

    // The largest |a - b|; NaN when any pair differs by NaN (Enumerable.Max would pass over it).
    private static float LargestDifference(IEnumerable<(float First, float Second)> pairs)
    {
        float largest = 0;
        foreach (var (a, b) in pairs)
        {
            float d = MathF.Abs(a - b);
            if (float.IsNaN(d)) return float.NaN;
            largest = Math.Max(largest, d);
        }
        return largest;
    }

    // "--resume auto": the checkpoint directory when it holds a complete step (Open then refuses one of another run), else a fresh start.
    private static string? ResumeFrom(string? resume, string? checkpointDir)
    {
        if (resume != "auto") return resume;
        if (checkpointDir is null)
            throw new ArgumentException("--resume auto needs --checkpoint-dir D: it resumes from D when D holds a checkpoint, and starts fresh when it holds none.");
        return CheckpointDirectory.CompleteSteps(checkpointDir).Count > 0 ? checkpointDir : null;
    }

    // A resumed run goes on writing where it resumed from: the checkpoint directory given, or the one holding the step directory given.
    private static string CheckpointRoot(string resumed) =>
        CheckpointDirectory.Resolve(resumed) == resumed ? Path.GetDirectoryName(Path.GetFullPath(resumed).TrimEnd('/'))! : resumed;

    // Resuming: what the checkpoint was trained with becomes the default, so a bare --resume continues the same run.
    private static TrainingOptions FromCheckpoint(TrainingOptions defaults, string path, HoconConfig config)
    {
        string file = Path.Combine(CheckpointDirectory.Resolve(path), CheckpointDirectory.MetadataFile);
        var metadata = CheckpointMetadata.Read(file);
        if (metadata.ModelSpec.Kind != defaults.Model.Kind) defaults = TrainingOptions.FromConfig(config, metadata.ModelSpec.Kind); // its evaluation settings
        var resumed = defaults with { Model = metadata.ModelSpec, Task = metadata.TaskSpec, Optimizer = metadata.OptimizerSpec };
        try
        {
            resumed.Validate(); // sizes the checkpoint gives that this machine cannot hold are the file's fault, not a usage error
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{file}: {e.Message}");
        }
        return resumed;
    }
}
