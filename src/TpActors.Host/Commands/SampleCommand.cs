using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using TpActors.Layers.Checkpoints;
using TpActors.Layers.Generation;
using TpActors.Layers.Models;
using TpActors.Layers.Ranks;
using TpActors.Runtime.Configuration;

namespace TpActors.Host.Commands;

/// <summary><c>tpactors sample --resume D --prompt …</c>: text from a GPT checkpoint, generated on rank actors with a KV cache sharded by heads, streamed as it comes.</summary>
public static class SampleCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CommandContext context)
    {
        var options = new ConfigOptions();
        var resume = new Option<string>("--resume") { Description = "The GPT checkpoint: a checkpoint directory (its latest step) or a step directory.", HelpName = "D", Required = true };
        var prompt = new Option<string?>("--prompt") { Description = SettingHelp.Describe("The text to continue", "tpactors.sample.prompt"), HelpName = "TEXT" };
        var tokens = new Option<int?>("--tokens") { Description = SettingHelp.Describe("Tokens to generate", "tpactors.sample.tokens"), HelpName = "N" };
        var temperature = new Option<float?>("--temperature") { Description = SettingHelp.Describe("Divides the logits", "tpactors.sample.temperature"), HelpName = "T" }.Float32();
        var topK = new Option<int?>("--top-k") { Description = SettingHelp.Describe("Draw among the k likeliest tokens; 0: all", "tpactors.sample.top-k"), HelpName = "K" };
        var seed = new Option<int?>("--seed") { Description = SettingHelp.Describe("Seed of the draws", "tpactors.sample.seed"), HelpName = "S" };
        var tp = new Option<int?>("--tp") { Description = "Ranks to generate on (default: the checkpoint's tp; any size its heads allow).", HelpName = "N" };
        var window = new Option<int?>("--context") { Description = "Tokens to condition on, at most the checkpoint's context (default: all of it).", HelpName = "T" };
        var command = new Command("sample",
            "Generate text from a GPT checkpoint on rank actors: each keeps the keys and values of its own heads, so each new token costs one " +
            "position; the text is printed as it is produced. The same seed gives the same text, at any --tp.");
        options.AddTo(command);
        foreach (var option in new Option[] { resume, prompt, tokens, temperature, topK, seed, tp, window }) command.Options.Add(option);
        command.SetAction(parse => context.Guard(parse, () =>
        {
            var loaded = options.Load(parse);
            foreach (var warning in loaded.Warnings) context.Error.WriteLine($"warning: {warning}");
            var config = loaded.Config;
            int count = parse.GetValue(tokens) ?? config.GetInt("tpactors.sample.tokens");
            double heat = parse.GetValue(temperature) ?? config.GetSingle("tpactors.sample.temperature");
            int k = parse.GetValue(topK) ?? config.GetInt("tpactors.sample.top-k");
            int draws = parse.GetValue(seed) ?? (int)config.GetLong("tpactors.sample.seed");
            string text = parse.GetValue(prompt) ?? config.GetString("tpactors.sample.prompt");
            Checkpoint checkpoint;
            GptModelSpec model;
            int[] ids;
            int ranks, conditioning;
            try
            {
                SettingRules.Require("tpactors.sample.tokens", count, "--tokens");
                SettingRules.Require("tpactors.sample.temperature", (float)heat, "--temperature");
                SettingRules.Require("tpactors.sample.top-k", k, "--top-k");
                if (text.Length == 0) throw new ArgumentException("--prompt \"\": give at least one character to continue.");
                checkpoint = Checkpoint.Load(parse.GetValue(resume)!);
            }
            catch (ArgumentException e)
            {
                return context.Fail(parse, ExitCodes.Usage, $"tpactors: {e.Message}", e);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                return context.Fail(parse, ExitCodes.Failure, $"tpactors sample: {e.Message}", e);
            }
            using (checkpoint)
            {
                try
                {
                    model = GptGenerator.ModelOf(checkpoint);
                    ranks = parse.GetValue(tp) ?? checkpoint.Metadata.Tp;
                    SettingRules.Require("tpactors.training.tp", ranks, "--tp");
                    conditioning = parse.GetValue(window) ?? model.Context;
                    GptGenerator.RequireContext(model, conditioning);
                    model.Layer.RequireSizes(ranks);
                    ids = Prompt(model, text);
                }
                catch (ArgumentException e)
                {
                    return context.Fail(parse, ExitCodes.Usage, $"tpactors: {e.Message}", e);
                }
                return Generate(context, config, checkpoint, model, ranks, conditioning, ids, count, new TokenSampler(heat, k, draws));
            }
        }));
        return command;
    }

    // The prompt's ids, a character outside a char vocabulary named with its place in the prompt.
    private static int[] Prompt(GptModelSpec model, string text)
    {
        try
        {
            return model.Text.Tokenizer.Create().Encode(text);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--prompt: {e.Message} (the checkpoint's {model.Text.Tokenizer.Name} tokenizer)", e);
        }
    }

    private static int Generate(CommandContext context, HoconConfig config, Checkpoint checkpoint, GptModelSpec model, int ranks, int conditioning, int[] prompt,
        int count, TokenSampler sampler)
    {
        var tokenizer = model.Text.Tokenizer.Create();
        using var system = JitProfile.CreateActorSystem("tpactors", config);
        var clock = Stopwatch.StartNew();
        Task.Run(async () =>
        {
            await using var group = await TensorParallelGroup.StartAsync(system, ranks, RankSettings.FromConfig(config), "sample");
            await using var generator = await GptGenerator.StartAsync(group, checkpoint, conditioning);
            context.Out.Write(tokenizer.Decode(prompt));
            var generated = new List<int>();
            string shown = "";
            float[] logits = await generator.Prompt(prompt);
            var started = clock.Elapsed;
            for (int i = 0; i < count; i++)
            {
                int next = sampler.Next(logits);
                generated.Add(next);
                // Decoded whole each time, written as it grows: a multi-byte character split over BPE tokens appears once complete.
                string text = tokenizer.Decode(generated);
                if (text.Length > shown.Length && text.StartsWith(shown, StringComparison.Ordinal) && !text.EndsWith('\uFFFD'))
                {
                    context.Out.Write(text[shown.Length..]);
                    context.Out.Flush();
                    shown = text;
                }
                if (i + 1 < count) logits = await generator.Next(next);
            }
            context.Out.WriteLine(tokenizer.Decode(generated)[shown.Length..]);
            context.Out.Flush(); // the text ends before the report on stderr starts
            double seconds = (clock.Elapsed - started).TotalSeconds;
            context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"sample: {count} tokens in {seconds:0.00} s ({count / Math.Max(1e-9, seconds):0.0} tokens/s) after a {prompt.Length}-token prompt, tp {ranks}, step {checkpoint.Metadata.Step} of {checkpoint.Directory}"));
        }).GetAwaiter().GetResult();
        return ExitCodes.Success;
    }
}
