using System.CommandLine;
using System.Globalization;
using TpActors.Host.Checkpoints;
using TpActors.Layers.Execution.Checkpoints;
using TpActors.Runtime.Configuration;

namespace TpActors.Host.Commands;

/// <summary><c>tpactors checkpoint inspect D</c>: every step of a checkpoint directory, checked file by file, as a table or JSON.</summary>
public static class CheckpointCommand
{
    /// <summary>Builds the <c>checkpoint</c> command and its subcommands.</summary>
    public static Command Create(CommandContext context)
    {
        var checkpoint = new Command("checkpoint", "Look into checkpoint directories written by train (format: docs/CHECKPOINTS.md).");
        checkpoint.Subcommands.Add(CreateInspect(context));
        return checkpoint;
    }

    private static Command CreateInspect(CommandContext context)
    {
        var path = new Argument<string>("D") { Description = "A checkpoint directory (every step in it) or one step directory." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout." };
        var inspect = new Command("inspect",
            "List the steps of a checkpoint directory: TP size, model, optimizer, files and sizes, whether every file matches its recorded " +
            "size and SHA-256, the weights' SHA-256 (the one train prints), and the latest step's tensors with their split. Exit 1 if a step fails its checks.");
        inspect.Arguments.Add(path);
        inspect.Options.Add(json);
        inspect.SetAction(parse => context.Guard(parse, () =>
        {
            string root = parse.GetValue(path)!;
            IReadOnlyList<string> steps;
            string? latest;
            try
            {
                latest = CheckpointDirectory.Resolve(root);
                steps = latest == root ? [root] : CheckpointDirectory.CompleteSteps(root).Select(s => Path.Combine(root, CheckpointDirectory.StepDirectoryName(s))).ToList();
            }
            catch (InvalidDataException e)
            {
                return context.Fail(parse, ExitCodes.Failure, $"tpactors checkpoint inspect: {e.Message}", e);
            }
            // A run still writing the directory prunes old steps: one deleted while it was being read is left out, not failed.
            var reports = steps.Select(StepReport.Of).ToList();
            foreach (var gone in reports.Where(r => !r.Verified && !Directory.Exists(r.Directory)).ToList())
            {
                context.Error.WriteLine($"note: {gone.Directory} was removed while it was read (a run writing {root} pruned it).");
                reports.Remove(gone);
            }
            if (parse.GetValue(json)) WriteJson(context.Out, root, latest, reports);
            else WriteTable(context.Out, root, latest, reports);
            foreach (var failed in reports.Where(r => !r.Verified)) context.Error.WriteLine($"tpactors checkpoint inspect: {failed.Error}");
            return reports.All(r => r.Verified) ? ExitCodes.Success : ExitCodes.Failure;
        }));
        return inspect;
    }

    private static void WriteTable(TextWriter output, string root, string latest, IReadOnlyList<StepReport> reports)
    {
        output.WriteLine($"checkpoint {root}: {reports.Count} step{(reports.Count == 1 ? "" : "s")}, latest {Path.GetFileName(latest)}");
        output.WriteLine();
        output.WriteLine($"{"step",-10} {"tp",3}  {"model",-40} {"optimizer",-16} {"files",-16} {"checked",-8} weights sha256");
        foreach (var r in reports)
        {
            var m = r.Metadata;
            string files = m is null ? "?" : $"{m.Files.Count}, {ConfigUnits.FormatBytes(m.Files.Sum(f => f.Bytes))}";
            string optimizer = m is null ? "?" : string.Create(CultureInfo.InvariantCulture, $"{m.Optimizer.Name} lr {m.Optimizer.LearningRate}");
            output.WriteLine($"{(m is null ? Path.GetFileName(r.Directory) : m.Step.ToString(CultureInfo.InvariantCulture)),-10} {m?.Tp.ToString(CultureInfo.InvariantCulture) ?? "?",3}  " +
                $"{r.ModelText,-40} {optimizer,-16} {files,-16} {(r.Verified ? "ok" : "FAILED"),-8} {r.WeightsSha256 ?? "-"}");
        }
        if (reports.LastOrDefault(r => r.Directory == latest || r.Metadata is not null) is { Metadata: { } last })
        {
            output.WriteLine();
            output.WriteLine($"tensors of step {last.Step} (seed {last.Task.Seed}, batch {last.Task.Batch}):");
            int width = last.Tensors.Max(t => t.Name.Length);
            foreach (var t in last.Tensors)
                output.WriteLine($"  {t.Name.PadRight(width)}  [{string.Join(", ", t.Shape)}]  {t.Axis}{(t.SplitDim is { } d ? $" (split along dim {d})" : "")}");
        }
    }

    private static void WriteJson(TextWriter output, string root, string latest, IReadOnlyList<StepReport> reports) =>
        JsonOutput.WriteLine(output, new Dictionary<string, object?>
        {
            ["directory"] = root,
            ["latest"] = latest,
            ["verified"] = reports.All(r => r.Verified),
            ["steps"] = reports.Select(r => new Dictionary<string, object?>
            {
                ["directory"] = r.Directory,
                ["step"] = r.Metadata?.Step,
                ["tp"] = r.Metadata?.Tp,
                ["bytes"] = r.Metadata?.Files.Sum(f => f.Bytes),
                ["metadata"] = r.Metadata is null ? null : System.Text.Json.JsonDocument.Parse(r.Metadata.ToJson()).RootElement, // as in metadata.json
                ["verified"] = r.Verified,
                ["error"] = r.Error,
                ["weights_sha256"] = r.WeightsSha256,
            }).ToList(),
        });
}
