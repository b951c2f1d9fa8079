using System.CommandLine;
using System.Globalization;
using TpActors.Host.Checkpoints;
using TpActors.Runtime.Configuration;
using TpActors.Layers.Optimizers;
using TpActors.Layers.Checkpoints;

namespace TpActors.Host.Commands;

/// <summary>
/// <c>tpactors checkpoint inspect D</c>: every step of a checkpoint directory, checked file by file, as a table or JSON;
/// <c>tpactors checkpoint export D --out FILE</c>: one step's weights as a single safetensors file for PyTorch.
/// </summary>
public static class CheckpointCommand
{
    /// <summary>Builds the <c>checkpoint</c> command and its subcommands.</summary>
    public static Command Create(CommandContext context)
    {
        var checkpoint = new Command("checkpoint", "Look into checkpoint directories written by train (format: docs/CHECKPOINTS.md).");
        checkpoint.Subcommands.Add(CreateInspect(context));
        checkpoint.Subcommands.Add(CreateExport(context));
        return checkpoint;
    }

    private static Command CreateExport(CommandContext context)
    {
        var path = new Argument<string>("D") { Description = "A checkpoint directory or one step directory." }.Path();
        var step = new Option<long?>("--step") { Description = "The step to export (default: the latest complete step of D).", HelpName = "N" };
        var output = new Option<string>("--out") { Description = "The safetensors file to write.", HelpName = "FILE.safetensors", Required = true };
        var export = new Command("export",
            "Write one step's weights as a single unsharded safetensors file in PyTorch's layout and names (the verify manifest's; linear " +
            "weights as nn.Linear's [out, in]; no optimizer state), loadable with load_state_dict. The file is checked as inspect checks it first.");
        export.Arguments.Add(path);
        export.Options.Add(step);
        export.Options.Add(output);
        export.SetAction(parse => context.Guard(parse, () =>
        {
            string root = parse.GetValue(path)!, target = parse.GetValue(output)!;
            if (target.Length == 0) return context.Fail(parse, ExitCodes.Usage, "tpactors: --out \"\": name the safetensors file to write.");
            try
            {
                string directory = parse.GetValue(step) is { } n ? StepDirectory(root, n) : CheckpointDirectory.Resolve(root);
                using var checkpoint = Checkpoint.Load(directory);
                var names = CheckpointExport.Write(checkpoint, target);
                context.Out.WriteLine($"wrote {target}: step {checkpoint.Metadata.Step}, {names.Count} tensors, {checkpoint.Metadata.ModelSpec.Summary}");
                return ExitCodes.Success;
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                return context.Fail(parse, ExitCodes.Failure, $"tpactors checkpoint export: {e.Message}", e);
            }
        }));
        return export;
    }

    // Step n's directory under the checkpoint directory root (or root itself when it is that step's directory).
    private static string StepDirectory(string root, long n)
    {
        if (CheckpointDirectory.TryParseStep(Path.GetFileName(Path.TrimEndingDirectorySeparator(root)), out long named))
            return named == n ? root : throw new InvalidDataException($"{root} is step {named}'s directory, not step {n}'s.");
        var steps = CheckpointDirectory.CompleteSteps(root);
        return steps.Contains(n) ? Path.Combine(root, CheckpointDirectory.StepDirectoryName(n))
            : throw new InvalidDataException($"{root} holds no complete step {n}; it holds {(steps.Count == 0 ? "none" : string.Join(", ", steps))}.");
    }

    private static Command CreateInspect(CommandContext context)
    {
        var path = new Argument<string>("D") { Description = "A checkpoint directory (every step in it) or one step directory." }.Path();
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
        var rows = reports.Select(r => (r.Metadata, Cells: new[]
        {
            r.Metadata?.Step.ToString(CultureInfo.InvariantCulture) ?? Path.GetFileName(r.Directory),
            r.Metadata?.Tp.ToString(CultureInfo.InvariantCulture) ?? "?",
            r.ModelText,
            r.Metadata is { } m ? string.Create(CultureInfo.InvariantCulture, $"{m.Optimizer.Name} lr {m.Optimizer.LearningRate}") : "?",
            r.Metadata is { } f ? $"{f.Files.Count}, {ConfigUnits.FormatBytesRounded(f.Files.Sum(x => x.Bytes))}" : "?",
            r.Verified ? "ok" : "FAILED",
            r.WeightsSha256 ?? "-",
        })).ToList();
        string[] header = ["step", "tp", "model", "optimizer", "files", "checked", "weights sha256"];
        int[] widths = header.Select((h, c) => rows.Select(r => r.Cells[c].Length).Append(h.Length).Max()).ToArray();
        string Line(string[] cells) => string.Join("  ", cells.Select((cell, c) => c == cells.Length - 1 ? cell : cell.PadRight(widths[c]))).TrimEnd();
        output.WriteLine(Line(header));
        foreach (var (_, cells) in rows) output.WriteLine(Line(cells));
        if (reports.LastOrDefault(r => r.Metadata is not null) is { Metadata: { } last })
        {
            output.WriteLine();
            output.WriteLine($"tensors of step {last.Step} (seed {last.Task.Seed}, batch {last.Task.Batch}):");
            int width = last.Tensors.Max(t => t.Name.Length), shapeWidth = last.Tensors.Max(t => string.Join(", ", t.Shape).Length + 2);
            foreach (var t in last.Tensors)
                output.WriteLine($"  {t.Name.PadRight(width)}  {$"[{string.Join(", ", t.Shape)}]".PadRight(shapeWidth)}  {t.Axis}{(t.SplitDim is { } d ? $" (split along dim {d})" : "")}");
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
