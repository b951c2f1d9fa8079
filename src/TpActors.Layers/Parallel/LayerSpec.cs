using TpActors.Layers.Tensors;

namespace TpActors.Layers.Parallel;

/// <summary>What layer a rank should build; every rank of the group gets the same spec and cuts its own shards.</summary>
public abstract record LayerSpec
{
    /// <summary>Builds this rank's part.</summary>
    public abstract IParallelLayer Build(ParallelContext context, long seed, string name);
}

/// <summary>A <see cref="ColumnParallelLinear"/>.</summary>
public sealed record ColumnLinearSpec(int InFeatures, int OutFeatures, bool Bias, bool GatherOutput) : LayerSpec
{
    /// <inheritdoc/>
    public override IParallelLayer Build(ParallelContext context, long seed, string name) =>
        new ColumnParallelLinear(context, InFeatures, OutFeatures, Bias, GatherOutput, seed, name);
}

/// <summary>A <see cref="RowParallelLinear"/>.</summary>
public sealed record RowLinearSpec(int InFeatures, int OutFeatures, bool Bias, bool InputIsParallel) : LayerSpec
{
    /// <inheritdoc/>
    public override IParallelLayer Build(ParallelContext context, long seed, string name) =>
        new RowParallelLinear(context, InFeatures, OutFeatures, Bias, InputIsParallel, seed, name);
}

/// <summary>A <see cref="ParallelMlp"/>.</summary>
public sealed record MlpSpec(int Hidden, int Ffn, bool Bias, Activation Activation) : LayerSpec
{
    /// <inheritdoc/>
    public override IParallelLayer Build(ParallelContext context, long seed, string name) =>
        new ParallelMlp(context, Hidden, Ffn, Bias, Activation, seed, name);
}

/// <summary>
/// A <see cref="ParallelSelfAttention"/> over sequences of <paramref name="SequenceLength"/> tokens; with
/// <paramref name="SequenceParallelTokens"/> above 0, its input and output are each rank's rows of a batch of that many tokens.
/// </summary>
public sealed record AttentionSpec(int Hidden, int Heads, int SequenceLength, bool Bias, int SequenceParallelTokens = 0) : LayerSpec
{
    /// <inheritdoc/>
    public override IParallelLayer Build(ParallelContext context, long seed, string name) =>
        new ParallelSelfAttention(context, Hidden, Heads, SequenceLength, Bias, seed, name, SequenceParallelTokens > 0 ? new SequenceSplit(SequenceParallelTokens) : null);
}

/// <summary>A <see cref="LayerNorm"/> (the seed is not used: it starts at γ = 1, β = 0).</summary>
public sealed record LayerNormSpec(int Features, float Epsilon, bool SequenceParallel) : LayerSpec
{
    /// <inheritdoc/>
    public override IParallelLayer Build(ParallelContext context, long seed, string name) =>
        new LayerNorm(context, Features, Epsilon, SequenceParallel, name);
}

/// <summary>
/// A pre-LN <see cref="ParallelTransformerBlock"/>; with <paramref name="SequenceParallelTokens"/> above 0, its input and
/// output are each rank's rows of a batch of that many tokens (sequence parallelism).
/// </summary>
public sealed record BlockSpec(int Hidden, int Heads, int Ffn, int SequenceLength, bool Bias, Activation Activation, float Epsilon, int SequenceParallelTokens = 0) : LayerSpec
{
    /// <inheritdoc/>
    public override IParallelLayer Build(ParallelContext context, long seed, string name) =>
        new ParallelTransformerBlock(context, Hidden, Heads, Ffn, SequenceLength, Bias, Activation, Epsilon, seed, name,
            SequenceParallelTokens > 0 ? new SequenceSplit(SequenceParallelTokens) : null);
}

/// <summary>
/// A <see cref="ParallelGpt"/>: <paramref name="Layers"/> pre-LN blocks over a vocabulary of <paramref name="Vocab"/> tokens and
/// sequences of <paramref name="Context"/>; label smoothing ε, weight tying of the LM head to the embedding, and, with
/// <paramref name="SequenceParallelTokens"/> above 0, sequence parallelism over a batch of that many tokens.
/// </summary>
public sealed record GptSpec(int Vocab, int Hidden, int Heads, int Ffn, int Context, int Layers, bool Bias, Activation Activation, float Epsilon,
    float LabelSmoothing, bool TieWeights, int SequenceParallelTokens = 0) : LayerSpec
{
    /// <inheritdoc/>
    public override IParallelLayer Build(ParallelContext context, long seed, string name) => new ParallelGpt(context, this, seed, name);

    /// <summary>Throws <see cref="ArgumentException"/> naming the numbers unless these sizes make a GPT split over <paramref name="tp"/> ranks.</summary>
    public void RequireSizes(int tp)
    {
        VocabParallelEmbedding.RequireSizes(Vocab, Hidden, tp);
        ParallelSelfAttention.RequireSizes(Hidden, Heads, Context, tp);
        if (Layers < 0) throw new ArgumentException($"A GPT needs 0 or more blocks, not {Layers}.");
        if (Ffn < 1) throw new ArgumentException($"An MLP needs at least 1 hidden feature, not {Ffn}.");
        if (LabelSmoothing is not (>= 0 and < 1)) throw new ArgumentException($"Label smoothing must be in [0, 1), not {LabelSmoothing}.");
        if (SequenceParallelTokens < 0 || SequenceParallelTokens % Context != 0)
            throw new ArgumentException($"Sequence parallelism needs whole sequences of {Context} tokens, not {SequenceParallelTokens}.");
    }
}
