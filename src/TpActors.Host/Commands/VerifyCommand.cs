using TpActors.Host.Cluster;
using TpActors.Host.Dashboard;
using TpActors.Runtime.Cluster;
using System.CommandLine;
using TpActors.Host.Verify;
using TpActors.Layers.Tensors;
using TpActors.Layers.Verification;
using Akka.Actor;
using TpActors.Layers.Ranks;

namespace TpActors.Host.Commands;

/// <summary><c>tpactors verify</c>: parallel layers on rank actors against the full computation, as a table; exit code 1 on any mismatch.</summary>
public static class VerifyCommand
{
    /// <summary>--activation, whose default comes from <paramref name="setting"/>: gelu is the erf form, as PyTorch's F.gelu.</summary>
    internal static Option<string?> ActivationOption(string setting)
    {
        var option = new Option<string?>("--activation")
        {
            Description = SettingHelp.Describe("The MLP's nonlinearity: gelu is the exact erf form (PyTorch's default F.gelu), gelu-tanh the tanh " +
                "approximation (F.gelu(x, approximate='tanh'), 2e-4 to 1e-3 from it), relu max(x, 0)", setting),
            HelpName = string.Join('|', ActivationNames.All),
        };
        option.AcceptOnlyFromAmong([.. ActivationNames.All]);
        return option;
    }

    /// <summary>Builds the command.</summary>
    public static Command Create(CommandContext context)
    {
        var options = new ConfigOptions();
        var tp = new Option<int?>("--tp") { Description = SettingHelp.Describe("Ranks in the tensor-parallel group", "tpactors.verify.tp"), HelpName = "N" };
        var batch = new Option<int?>("--batch") { Description = SettingHelp.Describe("Rows of the input", "tpactors.verify.batch"), HelpName = "B" };
        var hidden = new Option<int?>("--hidden") { Description = SettingHelp.Describe("Model width; need not divide by tp", "tpactors.verify.hidden"), HelpName = "H" };
        var ffn = new Option<int?>("--ffn") { Description = SettingHelp.Describe("The MLP's inner width; need not divide by tp", "tpactors.verify.ffn"), HelpName = "F" };
        var seed = new Option<long?>("--seed") { Description = SettingHelp.Describe("Seed of the master weights and inputs", "tpactors.verify.seed"), HelpName = "S" };
        // A word, not a bool option: a bool option leaves "--bias maybe" as two unrelated errors (a stray argument, a missing value).
        var bias = new Option<string?>("--bias") { Description = SettingHelp.Describe("Whether the linears have biases, true or false", "tpactors.verify.bias"), HelpName = "true|false" };
        bias.AcceptOnlyFromAmong("true", "false");
        var activation = ActivationOption("tpactors.verify.activation");
        var model = new Option<string?>("--model")
        {
            Description = SettingHelp.Describe("What to check: linear-mlp (the column- and row-parallel linears, then the MLP), linear, mlp, block (a pre-LN " +
                "transformer block) or gpt (embeddings, blocks, the vocab-parallel loss; every parameter's gradient)", "tpactors.verify.model"),
            HelpName = string.Join('|', VerifyOptions.Models),
        };
        model.AcceptOnlyFromAmong([.. VerifyOptions.Models]);
        var heads = new Option<int?>("--heads") { Description = SettingHelp.Describe("Attention heads (block, gpt); split unevenly where tp does not divide them", "tpactors.verify.heads"), HelpName = "N" };
        var vocab = new Option<int?>("--vocab") { Description = SettingHelp.Describe("Tokens of the GPT's vocabulary; split unevenly, no padding", "tpactors.verify.vocab"), HelpName = "V" };
        var contextLength = new Option<int?>("--context") { Description = SettingHelp.Describe("Tokens per sequence (block, gpt; --batch counts sequences)", "tpactors.verify.context"), HelpName = "T" };
        var layers = new Option<int?>("--layers") { Description = SettingHelp.Describe("The GPT's transformer blocks", "tpactors.verify.layers"), HelpName = "L" };
        var smoothing = new Option<float?>("--label-smoothing") { Description = SettingHelp.Describe("The GPT loss's label smoothing ε", "tpactors.verify.label-smoothing"), HelpName = "E" };
        var tie = new Option<bool>("--tie-weights") { Description = SettingHelp.Describe("Share the token embedding with the GPT's LM head", "tpactors.verify.tie-weights") };
        var sequenceParallel = new Option<bool>("--sequence-parallel")
        {
            Description = SettingHelp.Describe("Sequence parallelism in the block and the GPT: LayerNorm and the residuals hold each rank's rows", "tpactors.verify.sequence-parallel"),
        };
        var dump = new Option<string?>("--dump")
        {
            Description = "Write the checked model's full tensors to DIR as NumPy float32 .npy files, with manifest.json naming each as PyTorch does " +
                "(the MLP's: x, w1, b1, w2, b2, y, dy, dx, dw1, db1, dw2, db2, with w1 [hidden, ffn] and w2 [ffn, hidden]; a block's or GPT's: inputs, every parameter, " +
                "outputs and grad.* of each; nn.Linear weights are kept [in, out], marked \"transposed\").",
            HelpName = "DIR",
        }.Path();
        var json = new Option<bool>("--json") { Description = "Print the results as one JSON object on stdout." };
        var cluster = ClusterOption.Create();
        var dashboard = new DashboardOptions("what is checked, the cluster's members, each check's errors as it is judged");

        var command = new Command("verify",
            "Stand up N rank actors and check column-parallel (gathered), row-parallel (reduced) and the Megatron MLP, forward and backward (dX, dW, db), " +
            "or a transformer block or a GPT (--model), against the full single-rank computation in float64. Exit code 0 only if every check passes.");
        options.AddTo(command);
        foreach (var option in new Option[] { model, tp, batch, hidden, ffn, heads, vocab, contextLength, layers, smoothing, tie, sequenceParallel, seed, bias, activation, dump, json, cluster }.Concat(dashboard.All)) command.Options.Add(option);
        command.SetAction(parse => context.Guard(parse, () =>
        {
            var loaded = options.Load(parse);
            foreach (var warning in loaded.Warnings) context.Error.WriteLine($"warning: {warning}");
            VerifyOptions run;
            RankSettings settings;
            System.Net.IPEndPoint? pageAt;
            try
            {
                var defaults = VerifyOptions.FromConfig(loaded.Config);
                string? activationText = parse.GetValue(activation);
                run = defaults with
                {
                    Tp = parse.GetValue(tp) ?? defaults.Tp,
                    Batch = parse.GetValue(batch) ?? defaults.Batch,
                    Hidden = parse.GetValue(hidden) ?? defaults.Hidden,
                    Ffn = parse.GetValue(ffn) ?? defaults.Ffn,
                    Seed = parse.GetValue(seed) ?? defaults.Seed,
                    Bias = parse.GetValue(bias) is { } biasText ? biasText == "true" : defaults.Bias,
                    Activation = activationText is null ? defaults.Activation : ActivationNames.Parse(activationText),
                    Model = parse.GetValue(model) ?? defaults.Model,
                    Heads = parse.GetValue(heads) ?? defaults.Heads,
                    Vocab = parse.GetValue(vocab) ?? defaults.Vocab,
                    Context = parse.GetValue(contextLength) ?? defaults.Context,
                    Layers = parse.GetValue(layers) ?? defaults.Layers,
                    LabelSmoothing = parse.GetValue(smoothing) ?? defaults.LabelSmoothing,
                    TieWeights = parse.GetValue(tie) || defaults.TieWeights,
                    SequenceParallel = parse.GetValue(sequenceParallel) || defaults.SequenceParallel,
                };
                run.Validate();
                settings = RankSettings.FromConfig(loaded.Config);
                if (parse.GetValue(cluster) is { } address) Runtime.Cluster.NodeAddress.ParseTarget(address, "--cluster");
                pageAt = dashboard.Endpoint(parse);
            }
            catch (ArgumentException e)
            {
                return context.Fail(parse, ExitCodes.Usage, $"tpactors: {e.Message}", e);
            }

            if (parse.GetValue(dump) is { } target && VerifyPrinter.PrepareDump(target) is { } unwritable)
                return context.Fail(parse, ExitCodes.Failure, $"tpactors verify: {unwritable}");

            if (ClusterJob.TryStart(loaded.Config, parse.GetValue(cluster), run.Tp, "verify", context.Error, out var job) is { } joinError)
                return context.Fail(parse, ExitCodes.Failure, $"tpactors verify: {joinError}");
            using var system = job?.System ?? JitProfile.CreateActorSystem("tpactors", loaded.Config, recordWholeRun: true);
            using var leaving = job is null ? null : new JobEnd(job);
            DashboardSession? page;
            try
            {
                page = pageAt is null ? null : DashboardSession.StartAsync(pageAt, system, new Dictionary<string, string> { ["command"] = "verify", ["checking"] = VerifyPrinter.Describe(run) },
                    job is null ? run.Tp : null, context.Error).GetAwaiter().GetResult();
            }
            catch (IOException e)
            {
                return context.Fail(parse, ExitCodes.Failure, $"tpactors verify: {e.Message}", e);
            }
            using var closing = page is null ? null : new PageEnd(page);
            VerifyReport report;
            try
            {
                report = TensorParallelVerification.RunAsync(system, run, settings, job?.Lease.Ranks).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is RankFailedException or InvalidOperationException)
            {
                page?.FinishAsync($"failed: {e.Message}", keep: false, context.Error).GetAwaiter().GetResult();
                return context.Fail(parse, ExitCodes.Failure, $"tpactors verify: {e.Message}", e);
            }
            if (page is not null)
            {
                foreach (var check in report.Checks) page.Feed.Check(check);
                page.Metrics.Checks(report.Checks);
                page.FinishAsync(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"{(report.Passed ? "PASSED" : "FAILED")}: {report.Checks.Count(c => c.Passed)} of {report.Checks.Count} checks passed; backend {report.Backend}"),
                    dashboard.Keep(parse), context.Error).GetAwaiter().GetResult();
            }
            // The results are printed whatever happens to the dump: a full disk loses the files, not the checks.
            string? dumpError = parse.GetValue(dump) is { } directory ? VerifyPrinter.Dump(report, directory, context.Error) : null;
            if (parse.GetValue(json)) VerifyPrinter.WriteJson(context.Out, report, dumpError);
            else VerifyPrinter.WriteTable(context.Out, report);
            if (dumpError is not null) context.Error.WriteLine($"tpactors verify: {dumpError}");
            return report.Passed && dumpError is null ? ExitCodes.Success : ExitCodes.Failure;
        }));
        return command;
    }
}
