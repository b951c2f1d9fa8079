using TpActors.Layers.Tensors;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Parallel;

/// <summary>
/// y = (x − μ)/√(σ² + ε)·γ + β over each row's <c>features</c>, with γ (starting at 1) and β (at 0) replicated on every
/// rank. Forward and backward need no communication: every rank holds whole rows. Backward: dx from the kept μ and
/// 1/σ per row; dγ = Σ_rows dy·x̂, dβ = Σ_rows dy. With <c>sequenceParallel</c> each rank holds only its rows of the
/// sequence, so its dγ and dβ are partial sums: they are all-reduced before they are added, and every replica stays equal.
/// </summary>
public sealed class LayerNorm : ShardedParameters, IParallelLayer
{
    private readonly ParallelContext _context;
    private Tensor? _input;    // x, the caller's (kept for backward)
    private Tensor? _mean;     // μ per row
    private Tensor? _rstd;     // 1/√(σ² + ε) per row

    /// <summary>This rank's (replicated) LayerNorm over <paramref name="features"/> (parameters "<paramref name="name"/>.weight", ".bias").</summary>
    public LayerNorm(ParallelContext context, int features, float epsilon, bool sequenceParallel, string name = "ln")
        : base(context.Backend)
    {
        LayerChecks.Sizes(nameof(LayerNorm), features, features);
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), $"{nameof(LayerNorm)}: epsilon must be positive, not {epsilon}.");
        _context = context;
        Features = features;
        Epsilon = epsilon;
        SequenceParallel = sequenceParallel;
        Weight = AddConstantParameter($"{name}.weight", Tensor.UninitializedVector(features), ShardAxis.Replicated, 1f);
        Bias = AddConstantParameter($"{name}.bias", Tensor.UninitializedVector(features), ShardAxis.Replicated, 0f);
    }

    /// <summary>Features normalized per row.</summary>
    public int Features { get; }

    /// <summary>ε, added to the variance.</summary>
    public float Epsilon { get; }

    /// <summary>Whether each rank holds only its rows of the sequence (its parameter gradients are all-reduced).</summary>
    public bool SequenceParallel { get; }

    /// <summary>γ [features].</summary>
    public Tensor Weight { get; }

    /// <summary>β [features].</summary>
    public Tensor Bias { get; }

    /// <inheritdoc/>
    public Tensor Forward(Tensor input)
    {
        LayerChecks.Input(nameof(LayerNorm), _context, input, Features, $"features={Features}");
        ReleaseSaved();
        _input = input;
        _mean = Tensor.UninitializedVector(input.Rows);
        _rstd = Tensor.UninitializedVector(input.Rows);
        var output = input.EmptyLike();
        _context.Backend.LayerNorm(input, Weight, Bias, Epsilon, output, _mean, _rstd);
        return output;
    }

    /// <inheritdoc/>
    public Tensor Backward(Tensor gradOutput)
    {
        var input = _input ?? throw new InvalidOperationException($"{nameof(LayerNorm)} at rank {_context.Rank}: backward before forward.");
        Tensor.RequireSameShape(input, gradOutput, $"take {nameof(LayerNorm)}'s output gradient at rank {_context.Rank}");
        var gradInput = input.EmptyLike();
        using var partials = Tensor.UninitializedVector(2 * Features);          // [dγ | dβ], one all-reduce for both
        var dGamma = partials.ColumnBlock(0, Features);
        var dBeta = partials.ColumnBlock(Features, Features);
        _context.Backend.LayerNormBackward(input, Weight, _mean!, _rstd!, gradOutput, gradInput, dGamma, dBeta);
        if (SequenceParallel && _context.Size > 1) _context.Group.AllReduce(partials); // Σ over the sequence's shards
        _context.Backend.Axpy(1, dGamma, Gradient(0));
        _context.Backend.Axpy(1, dBeta, Gradient(1));
        ReleaseSaved();
        return gradInput;
    }

    /// <inheritdoc/>
    public long SavedBytes => (_mean?.Bytes ?? 0) + (_rstd?.Bytes ?? 0);

    /// <inheritdoc/>
    public override void Dispose()
    {
        ReleaseSaved();
        base.Dispose();
    }

    private void ReleaseSaved()
    {
        _mean?.Dispose();
        _rstd?.Dispose();
        _input = _mean = _rstd = null;
    }
}
