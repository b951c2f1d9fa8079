using TpActors.Layers.Tensors;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Parallel;

/// <summary>
/// Causal multi-head self-attention split by heads. Of H heads of width d = hidden/H, rank r owns a balanced share h_r
/// (as <see cref="Partition"/> splits H; uneven allowed, at least one each), so its width is w_r = h_r·d. The Q, K and V
/// projections are column-parallel over those heads' columns, attention runs per head on the rank, and the output
/// projection is row-parallel over the same rows, its bias added once after the reduce:
/// <code>
/// X [B·T, hidden] ─f─▶ Q_r K_r V_r = X·W_q,r + b_q,r … [B·T, w_r] each
///                 ─▶ per sequence b and head h: P = softmax_causal(Q_bh·K_bhᵀ/√d) [T, T], O_bh = P·V_bh [T, d]
///                 ─▶ O_r [B·T, w_r] ·W_o,r [w_r, hidden] ─g─▶ + b_o ─▶ Y [B·T, hidden]
/// </code>
/// Backward, the same way back: dO_r = dY·W_o,rᵀ; per head dP = dO·Vᵀ, dV = Pᵀ·dO, dS = softmax′(dP), dQ = dS·K/√d,
/// dK = dSᵀ·Q/√d; the weight gradients from X and dQ, dK, dV; dX = Σ_r (dQ_r·W_q,rᵀ + dK_r·W_k,rᵀ + dV_r·W_v,rᵀ), one
/// all-reduce (the <c>f</c>). Heads are read in place from the Q, K, V blocks (<see cref="BlockGrid"/>), never copied apart.
/// Under sequence parallelism (a <see cref="SequenceSplit"/>) X and Y are this rank's rows of the batch: X is all-gathered
/// first (<see cref="GatherFromSequenceRegion"/>) and Y reduce-scattered (<see cref="ReduceScatterToSequenceRegion"/>); only
/// this rank's rows of X are kept, gathered again for the weight gradients in backward.
/// </summary>
public sealed class ParallelSelfAttention : ShardedParameters, IParallelLayer
{
    private static readonly string[] Projections = ["query", "key", "value"];

    private readonly ParallelContext _context;
    private readonly float _scale;  // 1/√d
    private readonly int _firstBias; // index of the query bias among the parameters (-1: no bias)
    private Tensor? _input;          // X, the caller's (this rank's rows of it under sequence parallelism)
    private Tensor? _qkv;            // [B·T, 3·w_r]: Q_r | K_r | V_r
    private Tensor? _probabilities;  // [B·h_r·T, T]
    private Tensor? _attended;       // O_r [B·T, w_r], the output projection's input

    /// <summary>
    /// This rank's heads of an attention over <paramref name="hidden"/> features in <paramref name="heads"/> heads, on
    /// sequences of <paramref name="sequenceLength"/> tokens (parameters "<paramref name="name"/>.query.weight", ".key.*",
    /// ".value.*" and ".proj.*", cut from the master weights of <paramref name="seed"/>).
    /// </summary>
    public ParallelSelfAttention(ParallelContext context, int hidden, int heads, int sequenceLength, bool bias, long seed, string name = "attn",
        SequenceSplit? sequence = null)
        : base(context.Backend)
    {
        RequireSizes(hidden, heads, sequenceLength, context.Size);
        _context = context;
        Sequence = sequence;
        Hidden = hidden;
        Heads = heads;
        SequenceLength = sequenceLength;
        HeadWidth = hidden / heads;
        FirstHead = Partition.Start(heads, context.Size, context.Rank);
        LocalHeads = Partition.Size(heads, context.Size, context.Rank);
        _scale = 1f / MathF.Sqrt(HeadWidth);

        int start = FirstHead * HeadWidth, width = LocalWidth;
        foreach (string projection in Projections)
            AddParameter($"{name}.{projection}.weight", Tensor.Uninitialized(hidden, width), ShardAxis.Columns, seed, 0, start, hidden, MasterWeights.XavierBound(hidden, hidden));
        _firstBias = bias ? base.Parameters.Count : -1;
        if (bias)
            foreach (string projection in Projections)
                AddParameter($"{name}.{projection}.bias", Tensor.UninitializedVector(width), ShardAxis.Columns, seed, 0, start, hidden, MasterWeights.BiasBound(hidden));
        Output = new RowParallelLinear(context, hidden, hidden, bias, inputIsParallel: true, seed, $"{name}.proj", granularity: HeadWidth, sequence);
    }

    /// <summary>Features in and out.</summary>
    public int Hidden { get; }

    /// <summary>Heads of the whole layer.</summary>
    public int Heads { get; }

    /// <summary>Tokens per sequence (T): the input's rows are whole sequences of T.</summary>
    public int SequenceLength { get; }

    /// <summary>d = hidden / heads.</summary>
    public int HeadWidth { get; }

    /// <summary>The first head this rank owns.</summary>
    public int FirstHead { get; }

    /// <summary>Heads this rank owns (h_r).</summary>
    public int LocalHeads { get; }

    /// <summary>w_r = h_r·d: this rank's columns of Q, K and V.</summary>
    public int LocalWidth => LocalHeads * HeadWidth;

    /// <summary>The sequence's split when X and Y are this rank's rows of the batch, else null.</summary>
    public SequenceSplit? Sequence { get; }

    /// <summary>The row-parallel output projection (its rows split by the same heads).</summary>
    public RowParallelLinear Output { get; }

    /// <inheritdoc/>
    public new IReadOnlyList<ParameterShard> Parameters => [.. base.Parameters, .. Output.Parameters];

    /// <summary>Throws <see cref="ArgumentException"/> naming the numbers unless the sizes make an attention split over <paramref name="tp"/> ranks.</summary>
    public static void RequireSizes(int hidden, int heads, int sequenceLength, int tp)
    {
        if (heads < 1) throw new ArgumentException($"An attention needs at least 1 head, not {heads}.");
        if (hidden < 1 || hidden % heads != 0) throw new ArgumentException($"The hidden size {hidden} is not divisible by {heads} heads: a head's width must be whole.");
        if (sequenceLength < 1) throw new ArgumentException($"An attention needs a context of at least 1 token, not {sequenceLength}.");
        if (tp > heads) throw new ArgumentException($"Tensor parallelism of {tp} is more than the {heads} heads: every rank needs at least one head.");
    }

    /// <inheritdoc/>
    public Tensor Forward(Tensor input)
    {
        LayerChecks.Input(nameof(ParallelSelfAttention), _context, input, Hidden, $"hidden={Hidden}, heads={Heads}");
        int tokens = Sequence?.Tokens ?? input.Rows;
        if (tokens % SequenceLength != 0)
            throw new ArgumentException($"{nameof(ParallelSelfAttention)} at rank {_context.Rank}: the batch's {tokens} rows are not whole sequences of {SequenceLength} tokens.");
        ReleaseSaved();
        var backend = _context.Backend;
        int rows = tokens, width = LocalWidth, t = SequenceLength;
        _input = input;
        using var gathered = GatheredInput();
        var x = gathered ?? CopyToRegion.Forward(_context, input);                           // X [B·T, hidden]
        _qkv = Tensor.Uninitialized(rows, 3 * width);
        Project(x, _qkv);
        _probabilities = Tensor.Uninitialized(rows / t * LocalHeads * t, t);
        var scores = new BlockGrid(_probabilities, t, t);
        backend.GemmBatched(HeadsOf(_qkv, 0), false, HeadsOf(_qkv, 1), true, scores, alpha: _scale);  // Q·Kᵀ/√d
        backend.Softmax(_probabilities, _probabilities, causalQueries: t);
        _attended = Tensor.Uninitialized(rows, width);
        backend.GemmBatched(scores, false, HeadsOf(_qkv, 2), false, HeadsOf(_attended, 0));      // O = P·V
        return Output.Forward(_attended);
    }

    /// <inheritdoc/>
    public Tensor Backward(Tensor gradOutput)
    {
        if (_input is null) throw new InvalidOperationException($"{nameof(ParallelSelfAttention)} at rank {_context.Rank}: backward before forward.");
        var backend = _context.Backend;
        int rows = _qkv!.Rows, width = LocalWidth, t = SequenceLength;
        using var gradAttended = Output.Backward(gradOutput);                                     // dO_r [B·T, w_r]
        using var gradQkv = Tensor.Uninitialized(rows, 3 * width);
        using var gradScores = _probabilities!.EmptyLike();
        var probabilities = new BlockGrid(_probabilities, t, t);
        var dScores = new BlockGrid(gradScores, t, t);
        backend.GemmBatched(HeadsOf(gradAttended, 0), false, HeadsOf(_qkv!, 2), true, dScores);  // dP = dO·Vᵀ
        backend.GemmBatched(probabilities, true, HeadsOf(gradAttended, 0), false, HeadsOf(gradQkv, 2)); // dV = Pᵀ·dO
        backend.SoftmaxBackward(_probabilities, gradScores, gradScores);                          // dS
        backend.GemmBatched(dScores, false, HeadsOf(_qkv!, 1), false, HeadsOf(gradQkv, 0), alpha: _scale); // dQ = dS·K/√d
        backend.GemmBatched(dScores, true, HeadsOf(_qkv!, 0), false, HeadsOf(gradQkv, 1), alpha: _scale);  // dK = dSᵀ·Q/√d

        using var regathered = GatheredInput();
        var input = regathered ?? _input;                                                         // X [B·T, hidden]
        var gradInput = Tensor.Uninitialized(rows, Hidden);
        using var sums = _firstBias >= 0 ? Tensor.UninitializedVector(width) : null;
        for (int p = 0; p < 3; p++)
        {
            var gradPart = gradQkv.ColumnBlock(p * width, width);
            backend.Gemm(input, true, gradPart, false, Gradient(p), beta: 1);                     // dW_p,r += Xᵀ·dP_r
            if (sums is not null)
            {
                backend.ColumnSums(gradPart, sums);
                backend.Axpy(1, sums, Gradient(_firstBias + p));                                  // db_p,r += Σ_rows dP_r
            }
            backend.Gemm(gradPart, false, base.Parameters[p].Value, true, gradInput, beta: p == 0 ? 0 : 1); // Σ_p dP_r·W_p,rᵀ
        }
        ReleaseSaved();
        if (Sequence is null) return CopyToRegion.Backward(_context, gradInput);                 // Σ over ranks
        using (gradInput) return GatherFromSequenceRegion.Backward(_context, gradInput, Sequence); // Σ over ranks, this rank's rows
    }

    /// <summary>
    /// Inference on one sequence with a <see cref="KvCache"/>: <paramref name="x"/> [n, hidden] holds the next n positions
    /// (the prompt, then one token at a time). Their K and V join the cache, each query attends to every cached position up to
    /// its own, and the output [n, hidden] is all-reduced as in <see cref="Forward"/>. Keeps nothing for backward.
    /// </summary>
    public Tensor Decode(Tensor x, KvCache cache)
    {
        LayerChecks.Input(nameof(ParallelSelfAttention), _context, x, Hidden, $"hidden={Hidden}, heads={Heads}");
        if (Sequence is not null) throw new InvalidOperationException($"{nameof(ParallelSelfAttention)}: decoding runs without sequence parallelism.");
        var backend = _context.Backend;
        int n = x.Rows, width = LocalWidth, d = HeadWidth;
        using var qkv = Tensor.Uninitialized(n, 3 * width);
        Project(x, qkv);
        cache.Append(backend, qkv.ColumnBlock(width, width), qkv.ColumnBlock(2 * width, width));
        int seen = cache.Length;
        using var scores = Tensor.Uninitialized(LocalHeads * n, seen);                              // per head [n, seen]
        var grid = new BlockGrid(scores, n, seen);
        backend.GemmBatched(new BlockGrid(qkv.ColumnBlock(0, width), n, d), false, new BlockGrid(cache.Keys.RowBlock(0, seen), seen, d), true, grid, alpha: _scale);
        backend.Softmax(scores, scores, causalQueries: n);                                          // query i sees keys ≤ seen − n + i
        using var attended = Tensor.Uninitialized(n, width);
        backend.GemmBatched(grid, false, new BlockGrid(cache.Values.RowBlock(0, seen), seen, d), false, new BlockGrid(attended, n, d));
        return Output.Forward(attended);
    }

    /// <summary>Sets every gradient to zero.</summary>
    public new void ZeroGradients()
    {
        base.ZeroGradients();
        Output.ZeroGradients();
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        ReleaseSaved();
        Output.Dispose();
        base.Dispose();
    }

    /// <inheritdoc/>
    public long SavedBytes => (_qkv?.Bytes ?? 0) + (_probabilities?.Bytes ?? 0) + (_attended?.Bytes ?? 0) + Output.SavedBytes;

    // Q_r | K_r | V_r = X·W_p,r + b_p,r into the three column blocks of qkv [rows, 3·w_r].
    private void Project(Tensor x, Tensor qkv)
    {
        for (int p = 0; p < 3; p++)
        {
            var part = qkv.ColumnBlock(p * LocalWidth, LocalWidth);
            _context.Backend.Gemm(x, false, base.Parameters[p].Value, false, part);             // X·W_p,r
            if (_firstBias >= 0) _context.Backend.AddBias(part, base.Parameters[_firstBias + p].Value);
        }
    }

    // Under sequence parallelism, a new [B·T, hidden] of every rank's rows of the kept input; else null (X is the input itself).
    private Tensor? GatheredInput() => Sequence is null ? null : GatherFromSequenceRegion.Forward(_context, _input!, Sequence);

    // This rank's heads of part p (0: Q, 1: K, 2: V) of a [B·T, k·w_r] matrix: B × h_r blocks of [T, d], sequence-major.
    private BlockGrid HeadsOf(Tensor matrix, int part) => new(matrix.ColumnBlock(part * LocalWidth, LocalWidth), SequenceLength, HeadWidth);

    private void ReleaseSaved()
    {
        _qkv?.Dispose();
        _probabilities?.Dispose();
        _attended?.Dispose();
        _input = _qkv = _probabilities = _attended = null;
    }
}
