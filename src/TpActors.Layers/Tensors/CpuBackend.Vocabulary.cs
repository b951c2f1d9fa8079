using System.Numerics.Tensors;

namespace TpActors.Layers.Tensors;

// A vocabulary split over ranks: the embedding's lookup and its gradient in one shard of the rows, and the pieces of a
// cross-entropy whose logits are split by columns (each row's max, sum of exponentials, target logit and sum, reduced over
// the ranks by the caller; the gradient local). A token outside the shard is not an error here: another rank owns it.
public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void GatherRows(Tensor table, ReadOnlySpan<int> ids, int firstId, Tensor rows)
    {
        if (ids.Length != rows.Rows || rows.Cols != table.Cols || table.Rank != 2)
            throw new ArgumentException($"Cannot look up {ids.Length} tokens in {table.ShapeText} into {rows.ShapeText}: it needs [{ids.Length}, {table.Cols}].");
        for (int i = 0; i < ids.Length; i++)
        {
            int row = ids[i] - firstId;
            if ((uint)row < (uint)table.Rows) table.Row(row).CopyTo(rows.Row(i));
            else rows.Row(i).Clear();
        }
    }

    /// <inheritdoc/>
    public void ScatterAddRows(Tensor rows, ReadOnlySpan<int> ids, int firstId, Tensor table)
    {
        if (ids.Length != rows.Rows || rows.Cols != table.Cols || table.Rank != 2)
            throw new ArgumentException($"Cannot add {rows.ShapeText} for {ids.Length} tokens into {table.ShapeText}: it needs [{ids.Length}, {table.Cols}].");
        for (int i = 0; i < ids.Length; i++)
        {
            int row = ids[i] - firstId;
            if ((uint)row < (uint)table.Rows) TensorPrimitives.Add(table.Row(row), rows.Row(i), table.Row(row));
        }
    }

    /// <inheritdoc/>
    public void RowMax(Tensor x, Tensor max)
    {
        RequireVector(max, x.Rows, "the row maxima", x);
        if (x.Cols == 0) throw new ArgumentException($"Cannot take the row maxima of {x.ShapeText}: its rows are empty.");
        Span<float> m = max.Row(0);
        for (int i = 0; i < x.Rows; i++) m[i] = TensorPrimitives.Max(x.Row(i));
    }

    /// <inheritdoc/>
    public void RowSums(Tensor x, Tensor sums)
    {
        RequireVector(sums, x.Rows, "the row sums", x);
        Span<float> s = sums.Row(0);
        for (int i = 0; i < x.Rows; i++) s[i] = TensorPrimitives.Sum(x.Row(i));
    }

    /// <inheritdoc/>
    public void RowSumExp(Tensor x, Tensor shift, Tensor sums)
    {
        RequireVector(shift, x.Rows, "the row shifts", x);
        RequireVector(sums, x.Rows, "the row sums", x);
        using var scratch = Tensor.UninitializedVector(x.Cols);
        Span<float> e = scratch.Row(0), s = sums.Row(0);
        ReadOnlySpan<float> c = shift.Row(0);
        for (int i = 0; i < x.Rows; i++)
        {
            TensorPrimitives.Subtract(x.Row(i), c[i], e);
            TensorPrimitives.Exp(e, e);
            s[i] = TensorPrimitives.Sum(e);
        }
    }

    /// <inheritdoc/>
    public void ColumnMax(Tensor x, Tensor max)
    {
        RequireVector(max, x.Cols, "the column maxima", x);
        if (x.Rows == 0) throw new ArgumentException($"Cannot take the column maxima of {x.ShapeText}: it has no rows.");
        Span<float> m = max.Row(0);
        x.Row(0).CopyTo(m);
        for (int i = 1; i < x.Rows; i++) TensorPrimitives.Max(m, x.Row(i), m);
    }

    /// <inheritdoc/>
    public void CrossEntropyLoss(Tensor max, Tensor sumExp, Tensor target, Tensor sum, int vocabulary, float smoothing, Tensor logZ, Tensor loss)
    {
        int rows = max.Cols;
        foreach (var (vector, what) in new[] { (sumExp, "the sums of exponentials"), (target, "the target logits"), (sum, "the logit sums"), (logZ, "the log-partitions"), (loss, "the losses") })
            RequireVector(vector, rows, what, max);
        Span<float> z = logZ.Row(0), l = loss.Row(0);
        TensorPrimitives.Log(sumExp.Row(0), z);
        TensorPrimitives.Add(z, max.Row(0), z);                                     // logZ = m + log S
        TensorPrimitives.MultiplyAdd(target.Row(0), -(1 - smoothing), z, l);        // logZ − (1 − ε)·z_target
        TensorPrimitives.MultiplyAdd(sum.Row(0), -smoothing / vocabulary, l, l);    //   − (ε/V)·Σ z
    }

    /// <inheritdoc/>
    public void ScaleRows(Tensor x, Tensor scales)
    {
        RequireVector(scales, x.Rows, "the row scales", x);
        ReadOnlySpan<float> c = scales.Row(0);
        for (int i = 0; i < x.Rows; i++) TensorPrimitives.Multiply(x.Row(i), c[i], x.Row(i));
    }

    /// <inheritdoc/>
    public void PickColumns(Tensor x, ReadOnlySpan<int> ids, int firstId, Tensor picked)
    {
        if (ids.Length != x.Rows) throw new ArgumentException($"Cannot pick {ids.Length} columns from {x.ShapeText}: one per row.");
        RequireVector(picked, x.Rows, "the picked values", x);
        Span<float> p = picked.Row(0);
        for (int i = 0; i < ids.Length; i++)
        {
            int col = ids[i] - firstId;
            p[i] = (uint)col < (uint)x.Cols ? x[i, col] : 0f;
        }
    }

    /// <inheritdoc/>
    public void CrossEntropyBackward(Tensor x, Tensor logZ, ReadOnlySpan<int> targets, int firstId, int vocabulary, float smoothing, float gradScale, Tensor dx)
    {
        Tensor.RequireSameShape(x, dx, "differentiate the cross-entropy");
        RequireVector(logZ, x.Rows, "the log-sum-exps", x);
        if (targets.Length != x.Rows) throw new ArgumentException($"Cannot differentiate the cross-entropy of {x.ShapeText} with {targets.Length} targets: one per row.");
        if (vocabulary < x.Cols) throw new ArgumentException($"A vocabulary of {vocabulary} cannot hold a shard of {x.Cols} tokens.");
        if (!(smoothing >= 0 && smoothing < 1)) throw new ArgumentOutOfRangeException(nameof(smoothing), $"Label smoothing must be in [0, 1), not {smoothing}.");
        ReadOnlySpan<float> lz = logZ.Row(0);
        float uniform = smoothing / vocabulary;
        for (int i = 0; i < x.Rows; i++)
        {
            Span<float> dxi = dx.Row(i);
            TensorPrimitives.Subtract(x.Row(i), lz[i], dxi);
            TensorPrimitives.Exp(dxi, dxi);                                          // p = softmax over the whole vocabulary
            if (uniform != 0) TensorPrimitives.Subtract(dxi, uniform, dxi);          // − ε/V
            int col = targets[i] - firstId;
            if ((uint)col < (uint)x.Cols) dxi[col] -= 1f - smoothing;                // − (1 − ε) at the target
            TensorPrimitives.Multiply(dxi, gradScale, dxi);
        }
    }
}
