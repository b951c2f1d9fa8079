using System.Text.Json.Serialization;
using TpActors.Layers.Data;
using TpActors.Layers.Parallel;
using TpActors.Layers.Tensors;
using TpActors.Layers.Text;
using TpActors.Runtime.Configuration;

namespace TpActors.Layers.Models;

/// <summary>
/// A GPT trained on text (<see cref="ParallelGpt"/>, nanoGPT's shape: MLP 4 × hidden wide, LayerNorm ε 1e-5), its batches
/// windows of the tokenized text (<see cref="TokenBatches"/>), its loss the mean cross-entropy per token in nats.
/// </summary>
/// <param name="Layers">Transformer blocks.</param>
/// <param name="Hidden">The model width; divisible by the heads.</param>
/// <param name="Heads">Attention heads, split over the ranks unevenly where tp does not divide them.</param>
/// <param name="Context">Tokens per sequence (the position embedding's rows).</param>
/// <param name="Text">The text, its tokenizer (and so the vocabulary) and the held-out share.</param>
/// <param name="Activation">The MLPs' nonlinearity.</param>
/// <param name="Bias">Whether the linears have biases.</param>
/// <param name="LabelSmoothing">The loss's label smoothing ε.</param>
/// <param name="TieEmbeddings">Whether the LM head is the token embedding.</param>
/// <param name="SequenceParallelTokens">With sequence parallelism, the tokens of a batch (batch × context); 0 without.</param>
public sealed record GptModelSpec(int Layers, int Hidden, int Heads, int Context, TextSpec Text,
    [property: JsonConverter(typeof(ActivationNameConverter))] Activation Activation = Activation.Gelu, bool Bias = true,
    float LabelSmoothing = 0, bool TieEmbeddings = false, int SequenceParallelTokens = 0) : ModelSpec
{
    /// <summary>Its kind in checkpoints and messages.</summary>
    public const string KindName = "gpt";

    /// <summary>LayerNorm's ε, as GPT-2's.</summary>
    public const float Epsilon = 1e-5f;

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <summary>The GPT <c>tpactors.training.gpt</c> in <paramref name="config"/> describes, before its text is read (the char vocabulary is empty).</summary>
    public static GptModelSpec FromConfig(HoconConfig config) => new(
        config.GetInt("tpactors.training.gpt.layers"), config.GetInt("tpactors.training.gpt.hidden"), config.GetInt("tpactors.training.gpt.heads"),
        config.GetInt("tpactors.training.gpt.context"),
        new TextSpec(config.GetString("tpactors.training.gpt.data"), new TokenizerSpec(config.GetString("tpactors.training.gpt.tokenizer")),
            config.GetSingle("tpactors.training.gpt.validation-share")),
        ActivationNames.Parse(config.GetString("tpactors.training.gpt.activation"), "tpactors.training.gpt.activation"),
        config.GetBoolean("tpactors.training.gpt.bias"), config.GetSingle("tpactors.training.gpt.label-smoothing"),
        config.GetBoolean("tpactors.training.gpt.tie-embeddings"));

    /// <summary>This spec with its char vocabulary made from its text, when it has none yet (unchanged for gpt2).</summary>
    /// <exception cref="ArgumentException">The data path names nothing.</exception>
    /// <exception cref="InvalidDataException">No text is there.</exception>
    public GptModelSpec WithVocabulary() => Text.Tokenizer is { Name: "char", Characters.Length: 0 }
        ? this with { Text = Text with { Tokenizer = Text.Tokenizer with { Characters = CharTokenizer.VocabularyOf(TextCorpus.Read(Text.Data).Text) } } }
        : this;

    /// <summary>Tokens of the vocabulary (the tokenizer's).</summary>
    [JsonIgnore]
    public int Vocab => Text.Tokenizer.VocabularySize;

    /// <summary>The layer spec of the model on the ranks.</summary>
    [JsonIgnore]
    public GptSpec Layer => new(Vocab, Hidden, Heads, 4 * Hidden, Context, Layers, Bias, Activation, Epsilon, LabelSmoothing, TieEmbeddings, SequenceParallelTokens);

    /// <inheritdoc/>
    public override int Features => 2;

    /// <inheritdoc/>
    public override long ParameterCount
    {
        get
        {
            long h = Hidden, block = 12 * h * h + (Bias ? 9 * h : 0) + 4 * h; // Q, K, V, proj, fc1, fc2; their biases; two LayerNorms
            return Vocab * h * (TieEmbeddings ? 1 : 2) + Context * h + Layers * block + 2 * h;
        }
    }

    /// <inheritdoc/>
    public override string Widths => $"hidden {Hidden}, heads {Heads}, vocab {Vocab}, context {Context}";

    /// <inheritdoc/>
    public override string Sizes => $"GPT of {Layers} layers, {Widths}";

    /// <inheritdoc/>
    public override string Summary => $"{Sizes}, {Text.Tokenizer.Name} tokens, {ActivationNames.Name(Activation)}{(Bias ? ", bias" : "")}" +
        (TieEmbeddings ? ", tied embeddings" : "") + (LabelSmoothing > 0 ? $", label smoothing {LabelSmoothing}" : "") + (SequenceParallelTokens > 0 ? ", sequence parallel" : "");

    /// <inheritdoc/>
    public override ILoss Loss => MeanTokenLoss.Instance;

    /// <inheritdoc/>
    public override void Validate()
    {
        SettingRules.Require("tpactors.training.gpt.layers", Layers, "--layers");
        SettingRules.Require("tpactors.training.gpt.hidden", Hidden, "--hidden");
        SettingRules.Require("tpactors.training.gpt.heads", Heads, "--heads");
        SettingRules.Require("tpactors.training.gpt.context", Context, "--context");
        SettingRules.Require("tpactors.training.gpt.tokenizer", Text.Tokenizer.Name, "--tokenizer");
        SettingRules.Require("tpactors.training.gpt.validation-share", Text.ValidationShare);
        SettingRules.Require("tpactors.training.gpt.label-smoothing", LabelSmoothing, "--label-smoothing");
        ParallelSelfAttention.RequireSizes(Hidden, Heads, Context, tp: 1); // whole heads; the split is ValidateSplit's
    }

    /// <inheritdoc/>
    public override void ValidateSplit(int tp) => Layer.RequireSizes(tp);

    /// <inheritdoc/>
    public override int[]? WeightShape(string tensor) => tensor switch
    {
        "wte.weight" or "lm_head.weight" => [Vocab, Hidden],
        "wpe.weight" => [Context, Hidden],
        _ when tensor.EndsWith(".fc1.weight", StringComparison.Ordinal) => [Hidden, 4 * Hidden],
        _ when tensor.EndsWith(".fc2.weight", StringComparison.Ordinal) => [4 * Hidden, Hidden],
        _ when tensor.Contains(".attn.", StringComparison.Ordinal) && tensor.EndsWith(".weight", StringComparison.Ordinal) => [Hidden, Hidden],
        _ => null,
    };

    /// <summary>Q, K, V, the output projection, fc1 and fc2: the blocks' linears (the embeddings and the LM head are [vocab, hidden] as PyTorch's).</summary>
    public override bool IsLinearWeight(string parameter) => IsBlockLinearWeight(parameter);

    /// <summary>
    /// Whether <paramref name="parameter"/> names a transformer block's linear weight ("attn.query.weight", "h.0.mlp.fc1.weight", …),
    /// in a GPT or in a block on its own: kept [in, out] here, [out, in] in PyTorch.
    /// </summary>
    public static bool IsBlockLinearWeight(string parameter) =>
        parameter.EndsWith(".weight", StringComparison.Ordinal) && (parameter.Contains("attn.", StringComparison.Ordinal) || parameter.Contains("mlp.", StringComparison.Ordinal));

    /// <summary>As nanoGPT: the matrices and embeddings decay; biases and LayerNorm weights do not.</summary>
    public override bool Decays(string parameter) =>
        !parameter.EndsWith(".bias", StringComparison.Ordinal) && !parameter.StartsWith("ln_", StringComparison.Ordinal) && !parameter.Contains(".ln_", StringComparison.Ordinal);

    /// <summary>Q, K and V (weights and biases) and the output projection's weight are split by whole heads: blocks of hidden / heads.</summary>
    public override int ShardUnit(string tensor) =>
        tensor.Contains(".attn.query.", StringComparison.Ordinal) || tensor.Contains(".attn.key.", StringComparison.Ordinal) ||
        tensor.Contains(".attn.value.", StringComparison.Ordinal) || tensor.Contains(".attn.proj.weight", StringComparison.Ordinal)
            ? Hidden / Heads : 1;

    /// <inheritdoc/>
    public override IModel Build(ParallelContext context, long seed) => new GptModel(new ParallelGpt(context, Layer, seed, name: ""));

    /// <inheritdoc/>
    public override IBatchSource Batches(TaskSpec task) => new TokenBatches(Text, task.Batch, Context, task.Seed);

    /// <inheritdoc/>
    public override void Budget(MemoryBudget budget, double perWeight, TaskSpec task)
    {
        long tokens = (long)task.Batch * Context, h = Hidden;
        budget.Add("the embeddings and LM head", Vocab, h, perWeight * (TieEmbeddings ? 1 : 2))
            .Add("the blocks' weights", 12L * Layers * h, h, perWeight)
            .Add("the blocks' activations", tokens * Layers, 20 * h, 1)
            .Add("the attention scores", (long)task.Batch * Heads * Layers * Context, Context, 2)
            .Add("the logits", tokens, Vocab, 3);
    }
}
