using TpActors.Layers.Tensors;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Parallel;

/// <summary>
/// Y = X·A + b with A [in, out] split along its rows (the input features): A = [A_0; …; A_{p−1}], and X split to match,
/// X = [X_0 | … | X_{p−1}]. Rank r computes the partial product X_r·A_r [batch, out]; Y is their sum (all-reduced by
/// <see cref="ReduceFromRegion"/>, the <c>g</c> after the layer), and b [out], replicated, is added once after the reduce.
/// With <c>inputIsParallel</c> the input is already X_r (from a <see cref="ColumnParallelLinear"/>); otherwise the full X is
/// split here (<see cref="ScatterToRegion"/>). Backward: dA_r = X_rᵀ·dY, db = Σ_rows dY, dX_r = dY·A_rᵀ (all-gathered to dX
/// when the input was split here). With a <c>granularity</c> g the rows are split in whole groups of g (attention's output
/// projection: one group per head, so rank r's rows are the features of its own heads). Under sequence parallelism (a
/// <see cref="SequenceSplit"/>) the <c>g</c> is <see cref="ReduceScatterToSequenceRegion"/> instead: each rank receives
/// only its rows of Y (reduce-scatter forward, all-gather of dY backward), and adds b to them.
/// </summary>
public sealed class RowParallelLinear : ShardedParameters, IParallelLayer
{
    private readonly ParallelContext _context;
    private Tensor? _input;         // X_r, kept for backward
    private bool _ownsInput;        // true when X_r was split off here (and is ours to dispose)

    /// <summary>
    /// This rank's part, its shards cut from the master weights of <paramref name="seed"/> (streams "<paramref name="name"/>.weight",
    /// ".bias"), its rows split in whole groups of <paramref name="granularity"/> (which must divide the input features; a split
    /// other than 1 needs a parallel input).
    /// </summary>
    public RowParallelLinear(ParallelContext context, int inFeatures, int outFeatures, bool bias, bool inputIsParallel, long seed, string name = "linear", int granularity = 1,
        SequenceSplit? sequence = null)
        : base(context.Backend)
    {
        LayerChecks.Sizes(nameof(RowParallelLinear), inFeatures, outFeatures);
        if (sequence is not null && !inputIsParallel)
            throw new ArgumentException($"{nameof(RowParallelLinear)}: under sequence parallelism the input must arrive split by features (from a column-parallel layer).");
        Sequence = sequence;
        if (granularity < 1 || inFeatures % granularity != 0 || (granularity > 1 && !inputIsParallel))
            throw new ArgumentException($"{nameof(RowParallelLinear)}: {inFeatures} input features cannot be split in groups of {granularity}{(inputIsParallel ? "" : " unless the input arrives split")}.");
        _context = context;
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        InputIsParallel = inputIsParallel;
        InStart = Partition.Start(inFeatures / granularity, context.Size, context.Rank) * granularity;
        InLocal = Partition.Size(inFeatures / granularity, context.Size, context.Rank) * granularity;

        // [in_r, out]: rows InStart… of the master B [in, out]; the bias [out] is whole on every rank.
        Weight = AddParameter($"{name}.weight", Tensor.Uninitialized(InLocal, outFeatures), ShardAxis.Rows, seed, InStart, 0, outFeatures, MasterWeights.XavierBound(inFeatures, outFeatures));
        if (bias) Bias = AddParameter($"{name}.bias", Tensor.UninitializedVector(outFeatures), ShardAxis.Replicated, seed, 0, 0, outFeatures, MasterWeights.BiasBound(inFeatures));
    }

    /// <summary>Input features of the whole layer (rows of A).</summary>
    public int InFeatures { get; }

    /// <summary>Output features (columns of A).</summary>
    public int OutFeatures { get; }

    /// <summary>Whether the input arrives already split (X_r).</summary>
    public bool InputIsParallel { get; }

    /// <summary>The first input feature this rank owns.</summary>
    public int InStart { get; }

    /// <summary>Input features this rank owns.</summary>
    public int InLocal { get; }

    /// <summary>The sequence's split when the output is reduce-scattered to this rank's rows, else null.</summary>
    public SequenceSplit? Sequence { get; }

    /// <summary>A_r [in_r, out].</summary>
    public Tensor Weight { get; }

    /// <summary>b [out] (replicated), or null without bias.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    public Tensor Forward(Tensor input)
    {
        LayerChecks.Input(nameof(RowParallelLinear), _context, input, InputIsParallel ? InLocal : InFeatures,
            $"in={InFeatures}{(InputIsParallel ? $" split, {InLocal} at this rank" : "")}, out={OutFeatures}");
        ReleaseInput();
        _ownsInput = !InputIsParallel;
        _input = InputIsParallel ? input : ScatterToRegion.Forward(_context, input); // [batch, in_r]
        var output = Tensor.Uninitialized(input.Rows, OutFeatures);                  // [batch, out]
        _context.Backend.Gemm(_input, false, Weight, false, output);                  // X_r·A_r, partial
        if (Sequence is null) ReduceFromRegion.Forward(_context, output);             // Σ over ranks
        else using (var partial = output) output = ReduceScatterToSequenceRegion.Forward(_context, partial, Sequence); // this rank's rows of Σ
        if (Bias is not null) _context.Backend.AddBias(output, Bias);                 // once, after the reduce
        return output;
    }

    /// <inheritdoc/>
    public Tensor Backward(Tensor gradOutput)
    {
        var input = _input ?? throw new InvalidOperationException($"{nameof(RowParallelLinear)} at rank {_context.Rank}: backward before forward.");
        int outputRows = Sequence?.Local(_context) ?? input.Rows;
        if (gradOutput.Rows != outputRows || gradOutput.Cols != OutFeatures)
            throw new ArgumentException($"{nameof(RowParallelLinear)} at rank {_context.Rank}: the output gradient is {gradOutput.ShapeText} but the output was [{outputRows}, {OutFeatures}].");
        using var gathered = Sequence is null ? null : ReduceScatterToSequenceRegion.Backward(_context, gradOutput, Sequence);
        var dy = gathered ?? ReduceFromRegion.Backward(_context, gradOutput);         // [batch, out]
        _context.Backend.Gemm(input, true, dy, false, Gradient(0), beta: 1); // dA_r += X_rᵀ·dY
        if (Bias is not null)
        {
            using var sums = Tensor.UninitializedVector(OutFeatures);
            _context.Backend.ColumnSums(dy, sums);
            _context.Backend.Axpy(1, sums, Gradient(1));                  // db += Σ_rows dY
        }
        var gradLocal = Tensor.Uninitialized(input.Rows, InLocal);                    // [batch, in_r]
        _context.Backend.Gemm(dy, false, Weight, true, gradLocal);                    // dY·A_rᵀ
        ReleaseInput();
        if (InputIsParallel) return gradLocal;
        using (gradLocal) return ScatterToRegion.Backward(_context, gradLocal, InFeatures); // [batch, in]
    }

    /// <inheritdoc/>
    public long SavedBytes => _ownsInput ? _input?.Bytes ?? 0 : 0; // the scattered input when it made it

    /// <inheritdoc/>
    public override void Dispose()
    {
        ReleaseInput();
        base.Dispose();
    }

    private void ReleaseInput()
    {
        if (_ownsInput) _input?.Dispose();
        _input = null;
        _ownsInput = false;
    }
}
