using System.Globalization;
using TpActors.Layers.Models;
using TpActors.Layers.Optimizers;
using TpActors.Layers.Checkpoints;
using TpActors.Layers.Training;
using TpActors.Layers.Text;

namespace TpActors.Host.Train;

/// <summary>Prints a training run's summary as text or as one JSON object.</summary>
public static class TrainPrinter
{
    /// <summary>
    /// The summary: steps, speed, loss, recoveries with their causes and the time they cost, checkpoints, backend, digest; for
    /// a GPT also its <paramref name="text"/> and its split, tokens/s, and the validation loss in nats per token and bits per character.
    /// </summary>
    public static void WriteSummary(TextWriter output, TrainingOptions options, TrainingResult result, TrainCheck? check, TextSummary? text = null)
    {
        var o = options;
        output.WriteLine($"tpactors train: tp {o.Tp}, {o.Model.Sizes}, batch {o.Task.Batch}, " +
            Invariant($"{o.Optimizer.Name} lr {o.Optimizer.LearningRate}, seed {o.Task.Seed}"));
        output.WriteLine($"backend:    {result.Backend}");
        if (text is not null)
            output.WriteLine(Invariant($"data:       {text.Text.Data}, {text.Text.Tokenizer.Name} tokens (vocab {text.Text.Tokenizer.VocabularySize:#,0}): {text.Tokens:#,0} tokens of {text.Characters:#,0} characters; ") +
                Invariant($"{text.TrainTokens:#,0} for training, the last {text.ValidationTokens:#,0} ({text.Text.ValidationShare:0.##%}) held out"));
        if (result.Resumed is { } from)
            output.WriteLine($"resumed:    from step {from.Step}, {from.Directory} ({(from.Tp == o.Tp ? $"tp {from.Tp}" : $"tp {from.Tp} → {o.Tp}, resharded")})");
        long steps = result.Steps - result.StartStep;
        if (steps == 0)
        {
            output.WriteLine(Invariant($"steps:      none to run: the run already stands at step {result.Steps}"));
        }
        else
        {
            string tokens = TokensPerStep(o) is { } perStep ? Invariant($", {steps * perStep / Math.Max(1e-9, result.Wall.TotalSeconds):#,0} tokens/s") : "";
            output.WriteLine(Invariant($"steps:      {result.StartStep + 1}…{result.Steps} ({steps} in {result.Wall.TotalSeconds:0.000} s, {steps / Math.Max(1e-9, result.Wall.TotalSeconds):0.0} steps/s{tokens})"));
            output.WriteLine(Invariant($"final loss: {result.FinalLoss:0.000000} (first {result.Losses[0]:0.000000})"));
        }
        if (result.Validation.Count > 0)
        {
            var last = result.Validation[^1];
            string bits = text is null ? "" : Invariant($", {text.BitsPerCharacter(last.Loss):0.000} bits/char");
            output.WriteLine(Invariant($"validation: loss {last.Loss:0.000000}{(o.Model is GptModelSpec ? " nats/token" : "")}{bits} after step {last.Step} ({o.EvalBatches} held-out batches)") +
                (result.Validation.Count > 1 ? Invariant($"; first {result.Validation[0].Loss:0.000000} after step {result.Validation[0].Step}") : ""));
            if (text is not null)
                output.WriteLine(Invariant($"            (the training text's unigram entropy, the loss of a model that sees no context: {text.UnigramEntropy:0.000000} nats/token)"));
        }
        output.WriteLine(Invariant($"recoveries: {result.Recoveries.Count}, time lost {result.TimeLost.TotalSeconds:0.000} s"));
        for (int i = 0; i < result.Recoveries.Count; i++)
        {
            var r = result.Recoveries[i];
            bool sameIncident = i > 0 && r.Incident != 0 && result.Recoveries[i - 1].Incident == r.Incident;
            string cost = sameIncident
                ? Invariant($"recovered together with the one above, in {r.RecoveryTime.TotalMilliseconds:0.0} ms")
                : Invariant($"recovered in {r.RecoveryTime.TotalMilliseconds:0.0} ms, lost {r.TimeLost.TotalMilliseconds:0.0} ms");
            output.WriteLine(Invariant($"  rank {r.Rank}, step {r.Step}, {TrainingPhases.Name(r.Phase)}: {Kind(r.Kind)}: {r.Cause} ({cost})"));
        }
        if (result.Checkpoints.Count > 0) output.WriteLine($"checkpoint: {result.Checkpoints[^1]}");
        if (check is not null) output.WriteLine($"check:      {check}");
        output.WriteLine($"weights sha256: {result.WeightsSha256}");
    }

    /// <summary>One JSON object with final_loss, steps, weights_sha256, recoveries and the rest of the summary (a GPT's text and validation too).</summary>
    public static void WriteJson(TextWriter output, TrainingOptions options, TrainingResult result, TrainCheck? check, TextSummary? text = null)
    {
        long steps = result.Steps - result.StartStep;
        var document = new Dictionary<string, object?>
        {
            ["final_loss"] = double.IsFinite(result.FinalLoss) ? result.FinalLoss : null,
            ["steps"] = result.Steps,
            ["start_step"] = result.StartStep,
            ["weights_sha256"] = result.WeightsSha256,
            ["recoveries"] = Recoveries(result.Recoveries),
            ["time_lost_seconds"] = Math.Round(result.TimeLost.TotalSeconds, 6),
            ["tp"] = options.Tp,
            ["batch"] = options.Task.Batch,
            ["seed"] = options.Task.Seed,
            ["optimizer"] = options.Optimizer.Name,
            ["lr"] = options.Optimizer.LearningRate,
            ["wall_seconds"] = Math.Round(result.Wall.TotalSeconds, 6),
            ["steps_per_second"] = Math.Round(steps / Math.Max(1e-9, result.Wall.TotalSeconds), 3),
            ["memory"] = Verify.VerifyPrinter.MemoryReport(options.MemoryEstimateBytes),
            ["losses"] = result.Losses,
            ["backend"] = result.Backend,
            ["checkpoints"] = result.Checkpoints,
            ["stopped"] = result.Stopped,
            ["resumed_from"] = result.Resumed is { } from
                ? new Dictionary<string, object> { ["directory"] = from.Directory, ["step"] = from.Step, ["tp"] = from.Tp, ["resharded"] = from.Tp != options.Tp }
                : null,
        };
        if (TokensPerStep(options) is { } perStep) document["tokens_per_second"] = Math.Round(steps * perStep / Math.Max(1e-9, result.Wall.TotalSeconds), 1);
        if (result.Validation.Count > 0)
        {
            document["validation_loss"] = result.Validation[^1].Loss;
            if (text is not null) document["bits_per_character"] = Math.Round(text.BitsPerCharacter(result.Validation[^1].Loss), 6);
            document["validation"] = result.Validation.Select(v => new Dictionary<string, object> { ["step"] = v.Step, ["loss"] = v.Loss }).ToList();
        }
        if (text is not null)
            document["data"] = new Dictionary<string, object>
            {
                ["path"] = text.Text.Data,
                ["tokenizer"] = text.Text.Tokenizer.Name,
                ["vocab"] = text.Text.Tokenizer.VocabularySize,
                ["tokens"] = text.Tokens,
                ["characters"] = text.Characters,
                ["train_tokens"] = text.TrainTokens,
                ["validation_tokens"] = text.ValidationTokens,
                ["unigram_entropy"] = Math.Round(text.UnigramEntropy, 6),
                ["token_file"] = text.TokenFile,
            };
        // The model's own fields (for the MLP stack: layers, hidden, ffn, activation, bias), read through its spec.
        foreach (var (name, value) in ModelSpecJson.Fields(options.Model))
            if (name != "kind") document[name] = value;
        if (check is not null)
        {
            document["check_max_abs_difference"] = float.IsFinite(check.Difference) ? check.Difference : null;
            document["check_tolerance"] = check.Tolerance;
            document["check_passed"] = check.Passed;
        }
        JsonOutput.WriteLine(output, document);
    }

    /// <summary>What a stopped run's JSON error object adds to error and exit_code: every failure, and the last intact checkpoint.</summary>
    public static IReadOnlyDictionary<string, object?> FailureDetails(TrainingFailedException failure) => new Dictionary<string, object?>
    {
        ["failed"] = true,
        ["recoveries"] = Recoveries(failure.Recoveries),
        ["last_checkpoint"] = failure.LastCheckpoint,
    };

    private static List<Dictionary<string, object>> Recoveries(IEnumerable<Recovery> recoveries) => recoveries.Select(r => new Dictionary<string, object>
    {
        ["rank"] = r.Rank,
        ["step"] = r.Step,
        ["phase"] = TrainingPhases.Name(r.Phase),
        ["kind"] = Kind(r.Kind),
        ["cause"] = r.Cause,
        ["recovery_seconds"] = Math.Round(r.RecoveryTime.TotalSeconds, 6),
        ["lost_seconds"] = Math.Round(r.TimeLost.TotalSeconds, 6),
        ["incident"] = r.Incident,
    }).ToList();

    // Tokens a step trains on, for a model of tokens (a GPT: batch × context); null for the MLP stack.
    private static long? TokensPerStep(TrainingOptions options) => options.Model is GptModelSpec gpt ? (long)options.Task.Batch * gpt.Context : null;

    private static string Kind(FailureKind kind) => kind.ToString().ToLowerInvariant();

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
