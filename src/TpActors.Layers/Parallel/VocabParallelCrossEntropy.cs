using TpActors.Layers.Tensors;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Parallel;

/// <summary>
/// Cross-entropy over logits split by vocabulary: rank r holds Z_r [N, vocab_r], the columns of tokens V_r…, and the full
/// logits never exist on one rank. With label smoothing ε, each row's loss is
/// <code>
/// ℓ = (1 − ε)·(log Σ_j e^{z_j} − z_target) + ε·mean_j (log Σ_j e^{z_j} − z_j) = m + log S − (1 − ε)·z_target − (ε/V)·Σ_j z_j
/// </code>
/// with m = max_j z_j. Forward: each rank's row maxima are all-gathered (m, the shift that keeps exp finite), then one
/// all-reduce sums the three per-row pieces at once: S = Σ_j e^{z_j − m}, z_target (0 on the ranks that do not hold it)
/// and Σ_j z_j. ε is exact under any split, since every piece is a sum over the whole vocabulary. Backward is local:
/// dZ_r = dℓ·(softmax(Z)_r − (1 − ε)·onehot_r − ε/V).
/// </summary>
public sealed class VocabParallelCrossEntropy(ParallelContext context, int vocab, int vocabStart, float smoothing)
{
    private Tensor? _logits; // Z_r, the caller's, kept for backward
    private Tensor? _logZ;   // log Σ_j e^{z_j} per row
    private int[] _targets = [];

    /// <summary>Tokens in the whole vocabulary (V).</summary>
    public int Vocab { get; } = vocab;

    /// <summary>The first token of this rank's columns.</summary>
    public int VocabStart { get; } = vocabStart;

    /// <summary>ε: the share of the target's probability spread evenly over the vocabulary.</summary>
    public float Smoothing { get; } = smoothing is >= 0 and < 1 ? smoothing
        : throw new ArgumentOutOfRangeException(nameof(smoothing), $"Label smoothing must be in [0, 1), not {smoothing}.");

    /// <summary>The loss of each row [N] (the same on every rank), for <paramref name="logits"/> Z_r and the rows' <paramref name="targets"/>.</summary>
    public Tensor Forward(Tensor logits, ReadOnlySpan<int> targets)
    {
        if (logits.Rows != targets.Length)
            throw new ArgumentException($"{nameof(VocabParallelCrossEntropy)} at rank {context.Rank}: {logits.ShapeText} logits for {targets.Length} targets.");
        Release();
        var backend = context.Backend;
        int rows = logits.Rows;
        _logits = logits;
        _targets = targets.ToArray();

        var max = Tensor.UninitializedVector(rows);
        backend.RowMax(logits, max);
        if (context.Size > 1)
        {
            // m = the maximum over ranks of their row maxima: all of them gathered as [tp, N], then each column's maximum.
            using var all = Tensor.Uninitialized(context.Size, rows);
            context.Group.AllGather(max, all, Enumerable.Repeat(rows, context.Size).ToArray());
            backend.ColumnMax(all, max);
        }

        using (max)
        using (var pieces = Tensor.UninitializedVector(3 * rows))               // [S | z_target | Σ z], one all-reduce
        {
            var sumExp = pieces.ColumnBlock(0, rows);
            var target = pieces.ColumnBlock(rows, rows);
            var sum = pieces.ColumnBlock(2 * rows, rows);
            backend.RowSumExp(logits, max, sumExp);
            backend.PickColumns(logits, targets, VocabStart, target);
            backend.RowSums(logits, sum);
            if (context.Size > 1) context.Group.AllReduce(pieces);
            _logZ = Tensor.UninitializedVector(rows);
            var losses = Tensor.UninitializedVector(rows);
            backend.CrossEntropyLoss(max, sumExp, target, sum, Vocab, Smoothing, _logZ, losses);
            return losses;
        }
    }

    /// <summary>dZ_r [N, vocab_r] for the rows' loss gradients <paramref name="gradLosses"/> [N] (or [N, 1]).</summary>
    public Tensor Backward(Tensor gradLosses)
    {
        var logits = _logits ?? throw new InvalidOperationException($"{nameof(VocabParallelCrossEntropy)} at rank {context.Rank}: backward before forward.");
        if (gradLosses.Rows * gradLosses.Cols != logits.Rows || (gradLosses.Rank == 2 && gradLosses.Cols != 1))
            throw new ArgumentException($"{nameof(VocabParallelCrossEntropy)} at rank {context.Rank}: loss gradients {gradLosses.ShapeText} for {logits.Rows} rows.");
        var gradLogits = logits.EmptyLike();
        context.Backend.CrossEntropyBackward(logits, _logZ!, _targets, VocabStart, Vocab, Smoothing, 1, gradLogits);
        context.Backend.ScaleRows(gradLogits, gradLosses.Flatten()); // × dℓ per row
        Release();
        return gradLogits;
    }

    /// <summary>Bytes of what forward made and backward needs (log Z per row; the logits are the caller's).</summary>
    public long SavedBytes => _logZ?.Bytes ?? 0;

    private void Release()
    {
        _logZ?.Dispose();
        _logZ = null;
        _logits = null;
    }
}
