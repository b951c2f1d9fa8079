using TpActors.Layers.Tensors;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Parallel;

/// <summary>
/// Y = X·A + b with A [in, out] split along its columns (the output features): A = [A_0 | … | A_{p−1}], b likewise.
/// Rank r holds A_r [in, out_r] and b_r [out_r] and computes Y_r = X·A_r + b_r with no communication.
/// With <c>gatherOutput</c> the blocks are all-gathered into Y [batch, out]; otherwise the output stays split, ready for a
/// <see cref="RowParallelLinear"/> whose input is parallel. Backward: dA_r = Xᵀ·dY_r, db_r = Σ_rows dY_r, and
/// dX = Σ_r dY_r·A_rᵀ (all-reduced by <see cref="CopyToRegion"/>, the <c>f</c> in front of the layer).
/// Under sequence parallelism (a <see cref="SequenceSplit"/>) the input arrives as this rank's rows: the <c>f</c> is
/// <see cref="GatherFromSequenceRegion"/> instead (all-gather of the rows forward, reduce-scatter of dX backward). The layer then
/// keeps only this rank's rows of X and gathers them again for dA_r in backward, as Megatron-LM does: one more all-gather,
/// and no [tokens, in] tensor lives from forward to backward.
/// </summary>
public sealed class ColumnParallelLinear : ShardedParameters, IParallelLayer
{
    private readonly ParallelContext _context;
    private Tensor? _input; // X, the caller's, kept for backward (this rank's rows of it under sequence parallelism)

    /// <summary>
    /// This rank's part, its shards cut from the master weights of <paramref name="seed"/> (streams "<paramref name="name"/>.weight",
    /// ".bias"); with <paramref name="sequence"/>, its input is this rank's rows of the batch (and the output is not gathered).
    /// </summary>
    public ColumnParallelLinear(ParallelContext context, int inFeatures, int outFeatures, bool bias, bool gatherOutput, long seed, string name = "linear",
        SequenceSplit? sequence = null)
        : base(context.Backend)
    {
        LayerChecks.Sizes(nameof(ColumnParallelLinear), inFeatures, outFeatures);
        if (gatherOutput && sequence is not null)
            throw new ArgumentException($"{nameof(ColumnParallelLinear)}: under sequence parallelism the output stays split by columns; it cannot also be gathered.");
        Sequence = sequence;
        _context = context;
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        GatherOutput = gatherOutput;
        OutStart = Partition.Start(outFeatures, context.Size, context.Rank);
        OutLocal = Partition.Size(outFeatures, context.Size, context.Rank);

        // [in, out_r] and [out_r]: columns OutStart… of the master A [in, out] and a [out].
        Weight = AddParameter($"{name}.weight", Tensor.Uninitialized(inFeatures, OutLocal), ShardAxis.Columns, seed, 0, OutStart, outFeatures, MasterWeights.XavierBound(inFeatures, outFeatures));
        if (bias) Bias = AddParameter($"{name}.bias", Tensor.UninitializedVector(OutLocal), ShardAxis.Columns, seed, 0, OutStart, outFeatures, MasterWeights.BiasBound(inFeatures));
    }

    /// <summary>Input features (rows of A).</summary>
    public int InFeatures { get; }

    /// <summary>Output features of the whole layer (columns of A).</summary>
    public int OutFeatures { get; }

    /// <summary>Whether the output is gathered to [batch, out] on every rank.</summary>
    public bool GatherOutput { get; }

    /// <summary>The first output column this rank owns.</summary>
    public int OutStart { get; }

    /// <summary>Output columns this rank owns.</summary>
    public int OutLocal { get; }

    /// <summary>The sequence's split when the input arrives as this rank's rows, else null.</summary>
    public SequenceSplit? Sequence { get; }

    /// <summary>A_r [in, out_r].</summary>
    public Tensor Weight { get; }

    /// <summary>b_r [out_r], or null without bias.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    public Tensor Forward(Tensor input)
    {
        LayerChecks.Input(nameof(ColumnParallelLinear), _context, input, InFeatures, $"in={InFeatures}, out={OutFeatures}");
        _input = input;
        using var gathered = GatheredInput();                                     // [tokens, in], from every rank's rows
        var x = gathered ?? CopyToRegion.Forward(_context, input);                // [batch, in]
        var local = Tensor.Uninitialized(x.Rows, OutLocal);                       // [batch, out_r]
        _context.Backend.Gemm(x, false, Weight, false, local);
        if (Bias is not null) _context.Backend.AddBias(local, Bias);
        if (!GatherOutput) return local;
        using (local) return GatherFromRegion.Forward(_context, local, OutFeatures); // [batch, out]
    }

    /// <inheritdoc/>
    public Tensor Backward(Tensor gradOutput)
    {
        if (_input is null) throw new InvalidOperationException($"{nameof(ColumnParallelLinear)} at rank {_context.Rank}: backward before forward.");
        int rows = Sequence?.Tokens ?? _input.Rows, expected = GatherOutput ? OutFeatures : OutLocal;
        if (gradOutput.Rows != rows || gradOutput.Cols != expected)
            throw new ArgumentException($"{nameof(ColumnParallelLinear)} at rank {_context.Rank}: the output gradient is {gradOutput.ShapeText} but the output was [{rows}, {expected}].");
        using var regathered = GatheredInput();
        var input = regathered ?? _input;                                              // X [batch, in]
        using var gathered = GatherOutput ? GatherFromRegion.Backward(_context, gradOutput) : null;
        var dyLocal = gathered ?? gradOutput;                                          // [batch, out_r]
        _context.Backend.Gemm(input, true, dyLocal, false, Gradient(0), beta: 1); // dA_r += Xᵀ·dY_r
        if (Bias is not null)
        {
            using var sums = Tensor.UninitializedVector(OutLocal);
            _context.Backend.ColumnSums(dyLocal, sums);
            _context.Backend.Axpy(1, sums, Gradient(1));                   // db_r += Σ_rows dY_r
        }
        var gradInput = Tensor.Uninitialized(input.Rows, InFeatures);                 // [batch, in]
        _context.Backend.Gemm(dyLocal, false, Weight, true, gradInput);               // dY_r·A_rᵀ, partial
        _input = null;
        if (Sequence is null) return CopyToRegion.Backward(_context, gradInput);      // Σ over ranks
        using (gradInput) return GatherFromSequenceRegion.Backward(_context, gradInput, Sequence); // Σ over ranks, this rank's rows
    }

    /// <inheritdoc/>
    public long SavedBytes => 0; // only the caller's input

    /// <inheritdoc/>
    public override void Dispose()
    {
        _input = null;
        base.Dispose();
    }

    // Under sequence parallelism, a new [tokens, in] of every rank's rows of the kept input; else null (X is the input itself).
    private Tensor? GatheredInput() => Sequence is null ? null : GatherFromSequenceRegion.Forward(_context, _input!, Sequence);
}
