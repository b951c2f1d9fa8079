using TpActors.Host.Cluster;
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
        var dump = new Option<string?>("--dump")
        {
            Description = "Write the MLP check's full tensors to DIR as NumPy float32 .npy files: " + string.Join(", ", VerifyReport.DumpNames) +
                " (x input, w1 [hidden, ffn], w2 [ffn, hidden], y parallel output, dy upstream gradient, d* parallel gradients; b* and db* only with bias).",
            HelpName = "DIR",
        }.Path();
        var json = new Option<bool>("--json") { Description = "Print the results as one JSON object on stdout." };
        var cluster = ClusterOption.Create();

        var command = new Command("verify",
            "Stand up N rank actors and check column-parallel (gathered), row-parallel (reduced) and the Megatron MLP, forward and backward (dX, dW, db), " +
            "against the full single-rank computation in float64. Exit code 0 only if every check passes.");
        options.AddTo(command);
        foreach (var option in new Option[] { tp, batch, hidden, ffn, seed, bias, activation, dump, json, cluster }) command.Options.Add(option);
        command.SetAction(parse => context.Guard(parse, () =>
        {
            var loaded = options.Load(parse);
            foreach (var warning in loaded.Warnings) context.Error.WriteLine($"warning: {warning}");
            VerifyOptions run;
            RankSettings settings;
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
                };
                run.Validate();
                settings = RankSettings.FromConfig(loaded.Config);
                if (parse.GetValue(cluster) is { } address) Runtime.Cluster.NodeAddress.ParseTarget(address, "--cluster");
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
            VerifyReport report;
            try
            {
                report = TensorParallelVerification.RunAsync(system, run, settings, job?.Lease.Ranks).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is RankFailedException or InvalidOperationException)
            {
                return context.Fail(parse, ExitCodes.Failure, $"tpactors verify: {e.Message}", e);
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
