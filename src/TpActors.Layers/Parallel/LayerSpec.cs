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

/// <summary>A <see cref="ParallelSelfAttention"/> over sequences of <paramref name="SequenceLength"/> tokens.</summary>
public sealed record AttentionSpec(int Hidden, int Heads, int SequenceLength, bool Bias) : LayerSpec
{
    /// <inheritdoc/>
    public override IParallelLayer Build(ParallelContext context, long seed, string name) =>
        new ParallelSelfAttention(context, Hidden, Heads, SequenceLength, Bias, seed, name);
}

/// <summary>A <see cref="LayerNorm"/> (the seed is not used: it starts at γ = 1, β = 0).</summary>
public sealed record LayerNormSpec(int Features, float Epsilon, bool SequenceParallel) : LayerSpec
{
    /// <inheritdoc/>
    public override IParallelLayer Build(ParallelContext context, long seed, string name) =>
        new LayerNorm(context, Features, Epsilon, SequenceParallel, name);
}
