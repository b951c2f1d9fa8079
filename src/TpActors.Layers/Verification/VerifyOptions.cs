using TpActors.Layers.Parallel;
using TpActors.Layers.Tensors;
using TpActors.Runtime.Configuration;

namespace TpActors.Layers.Verification;

/// <summary>What <c>tpactors verify</c> checks (defaults in <c>tpactors.verify</c>, mirroring the seed tutorial).</summary>
/// <param name="Tp">Ranks in the tensor-parallel group.</param>
/// <param name="Batch">Rows of the input (sequences of <see cref="Context"/> tokens for the block and the GPT).</param>
/// <param name="Hidden">Model width: the MLP's input and output features.</param>
/// <param name="Ffn">The MLP's inner width.</param>
/// <param name="Seed">Seed of the master weights and the inputs.</param>
/// <param name="Bias">Whether the linears have biases.</param>
/// <param name="Activation">The MLP's nonlinearity.</param>
/// <param name="Tolerance">Largest relative error (max abs error / max abs reference value) that passes.</param>
public sealed record VerifyOptions(int Tp, int Batch, int Hidden, int Ffn, long Seed, bool Bias, Activation Activation, double Tolerance)
{
    /// <summary>What is checked: linear-mlp (the column- and row-parallel linears and the MLP), linear, mlp, block or gpt.</summary>
    public string Model { get; init; } = "linear-mlp";

    /// <summary>Attention heads (block, gpt).</summary>
    public int Heads { get; init; } = 4;

    /// <summary>Tokens in the vocabulary (gpt).</summary>
    public int Vocab { get; init; } = 67;

    /// <summary>Tokens per sequence (block, gpt).</summary>
    public int Context { get; init; } = 11;

    /// <summary>Transformer blocks (gpt).</summary>
    public int Layers { get; init; } = 2;

    /// <summary>Label smoothing ε of the loss (gpt).</summary>
    public float LabelSmoothing { get; init; }

    /// <summary>Whether the LM head shares the token embedding (gpt).</summary>
    public bool TieWeights { get; init; }

    /// <summary>Whether LayerNorm and the residuals hold each rank's rows of the sequence (block, gpt).</summary>
    public bool SequenceParallel { get; init; }

    /// <summary>LayerNorm's ε.</summary>
    public const float LayerNormEpsilon = 1e-5f;

    /// <summary>The checks' model names, as --model takes them.</summary>
    public static readonly IReadOnlyList<string> Models = ["linear-mlp", "linear", "mlp", "block", "gpt"];

    /// <summary>Whether the model is a transformer (its batch counts sequences).</summary>
    public bool IsTransformer => Model is "block" or "gpt";

    /// <summary>Rows of the transformer's batch: sequences × context.</summary>
    public int Tokens => checked(Batch * Context);

    /// <summary>Reads <c>tpactors.verify</c>.</summary>
    public static VerifyOptions FromConfig(HoconConfig config) => new(
        config.GetInt("tpactors.verify.tp"),
        config.GetInt("tpactors.verify.batch"),
        config.GetInt("tpactors.verify.hidden"),
        config.GetInt("tpactors.verify.ffn"),
        config.GetLong("tpactors.verify.seed"),
        config.GetBoolean("tpactors.verify.bias"),
        ActivationNames.Parse(config.GetString("tpactors.verify.activation")),
        config.GetDouble("tpactors.verify.tolerance"))
    {
        Model = config.GetString("tpactors.verify.model"),
        Heads = config.GetInt("tpactors.verify.heads"),
        Vocab = config.GetInt("tpactors.verify.vocab"),
        Context = config.GetInt("tpactors.verify.context"),
        Layers = config.GetInt("tpactors.verify.layers"),
        LabelSmoothing = config.GetSingle("tpactors.verify.label-smoothing"),
        TieWeights = config.GetBoolean("tpactors.verify.tie-weights"),
        SequenceParallel = config.GetBoolean("tpactors.verify.sequence-parallel"),
    };

    /// <summary>The block checked by <c>--model block</c>.</summary>
    public BlockSpec Block => new(Hidden, Heads, Ffn, Context, Bias, Activation, LayerNormEpsilon, SequenceParallel ? Tokens : 0);

    /// <summary>The GPT checked by <c>--model gpt</c>.</summary>
    public GptSpec Gpt => new(Vocab, Hidden, Heads, Ffn, Context, Layers, Bias, Activation, LayerNormEpsilon, LabelSmoothing, TieWeights, SequenceParallel ? Tokens : 0);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range, or sizes that cannot split over tp.</summary>
    public void Validate()
    {
        SettingRules.Require("tpactors.verify.model", Model, "--model");
        SettingRules.Require("tpactors.verify.tp", Tp, "--tp");
        SettingRules.Require("tpactors.verify.batch", Batch, "--batch");
        SettingRules.Require("tpactors.verify.hidden", Hidden, "--hidden");
        SettingRules.Require("tpactors.verify.ffn", Ffn, "--ffn");
        SettingRules.Require("tpactors.verify.tolerance", Tolerance);
        if (IsTransformer)
        {
            SettingRules.Require("tpactors.verify.heads", Heads, "--heads");
            SettingRules.Require("tpactors.verify.context", Context, "--context");
            if ((long)Batch * Context > int.MaxValue)
                throw new ArgumentException($"--batch {Batch} sequences of --context {Context} tokens are {(long)Batch * Context} rows, more than a tensor holds.");
        }
        else if (SequenceParallel)
            throw new ArgumentException($"--sequence-parallel applies to --model block or gpt, not {Model}.");
        if (Model == "gpt")
        {
            SettingRules.Require("tpactors.verify.vocab", Vocab, "--vocab");
            SettingRules.Require("tpactors.verify.layers", Layers, "--layers");
            SettingRules.Require("tpactors.verify.label-smoothing", LabelSmoothing, "--label-smoothing");
            Gpt.RequireSizes(Tp);
        }
        else if (IsTransformer) ParallelSelfAttention.RequireSizes(Hidden, Heads, Context, Tp);
        Memory().Check();
    }

    /// <summary>The bytes a check is estimated to hold at its peak (what <see cref="Validate"/> holds to the machine's memory).</summary>
    public double MemoryEstimateBytes => Memory().Bytes;

    // The tensors a check holds at once: every layer's shards and gradients on the ranks (the three checks' layers stay),
    // their copies sent back and assembled, the tensor pool's arrays kept for reuse, and float64 references (two floats
    // each) of the weights, the activations and their gradients. Held to peaks measured with `verify --json` ("memory"):
    // 35 weights' worth at --hidden 1000000, 2.5x the activations' count here before at --batch 1000000. A transformer
    // counts its blocks' weights (4·hidden² in the attention, 2·hidden·ffn in the MLP), its embeddings, its activations
    // per block and the attention's probabilities, each as many times as the MLP's.
    private MemoryBudget Memory()
    {
        if (!IsTransformer)
            return new MemoryBudget($"--batch {Batch} --hidden {Hidden} --ffn {Ffn}")
                .Add("w1", Hidden, Ffn, 18)
                .Add("w2", Ffn, Hidden, 18)
                .Add("the MLP's inner activations", Batch, Ffn, 32)
                .Add("the input", Batch, Hidden, 40);
        int blocks = Model == "gpt" ? Layers : 1;
        var budget = new MemoryBudget($"--batch {Batch} --context {Context} --hidden {Hidden} --ffn {Ffn} --heads {Heads}" + (Model == "gpt" ? $" --vocab {Vocab} --layers {Layers}" : ""))
            .Add("the blocks' attention weights", (long)blocks * 4 * Hidden, Hidden, 18)
            .Add("the blocks' MLP weights", (long)blocks * 2 * Hidden, Ffn, 18)
            .Add("the blocks' activations", (long)blocks * Tokens, 8 * Hidden + 2 * Ffn, 32)
            .Add("the attention's probabilities", (long)blocks * Tokens * Heads, Context, 32);
        return Model == "gpt" ? budget.Add("the embeddings and the LM head", 2L * Vocab + Context, Hidden, 18).Add("the logits", Tokens, Vocab, 32) : budget;
    }
}
