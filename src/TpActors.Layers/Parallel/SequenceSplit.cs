using TpActors.Layers.Tensors;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Parallel;

/// <summary>
/// Sequence parallelism's split of a batch's <see cref="Tokens"/> rows (B sequences of T tokens, sequence-major) over the
/// group: rank r holds the balanced run of rows <see cref="Start"/>… (uneven allowed; a rank may hold none). Rows are
/// independent in LayerNorm, dropout and the residual adds, so any split of them serves; the attention and the linears
/// gather the whole batch first. Here are the primitives under the sequence mappings: take this rank's rows, all-gather
/// them, reduce-scatter them. Each rank's rows are contiguous, so the ring moves them as they lie.
/// </summary>
public sealed record SequenceSplit(int Tokens)
{
    /// <summary>The first row rank <paramref name="rank"/> of <paramref name="size"/> holds.</summary>
    public int Start(int size, int rank) => Partition.Start(Tokens, size, rank);

    /// <summary>Rows rank <paramref name="rank"/> of <paramref name="size"/> holds.</summary>
    public int Size(int size, int rank) => Partition.Size(Tokens, size, rank);

    /// <summary>Rows this rank holds.</summary>
    public int Local(ParallelContext context) => Size(context.Size, context.Rank);

    /// <summary>A contiguous copy of this rank's rows of <paramref name="full"/> [tokens, cols].</summary>
    internal Tensor Split(ParallelContext context, Tensor full)
    {
        RequireRows(context, full, Tokens, "split");
        var local = Tensor.Uninitialized(Local(context), full.Cols);
        if (local.Rows > 0) context.Backend.Copy(full.RowBlock(Start(context.Size, context.Rank), local.Rows), local);
        return local;
    }

    /// <summary>[rows_r, cols] from every rank → [tokens, cols], in rank order.</summary>
    internal Tensor Gather(ParallelContext context, Tensor local)
    {
        RequireRows(context, local, Local(context), "gather");
        var full = Tensor.Uninitialized(Tokens, local.Cols);
        if (context.Size == 1) local.CopyTo(full);
        else context.Group.AllGather(local, full, Counts(context, local.Cols));
        return full;
    }

    /// <summary>Σ over ranks of <paramref name="full"/> [tokens, cols], of which this rank receives its rows [rows_r, cols].</summary>
    internal Tensor ReduceScatter(ParallelContext context, Tensor full)
    {
        RequireRows(context, full, Tokens, "reduce-scatter");
        var local = Tensor.Uninitialized(Local(context), full.Cols);
        if (context.Size == 1) full.CopyTo(local);
        else context.Group.ReduceScatter(full, local, Counts(context, full.Cols));
        return local;
    }

    private int[] Counts(ParallelContext context, int cols) => Partition.Sizes(Tokens, context.Size).Select(rows => rows * cols).ToArray();

    private static void RequireRows(ParallelContext context, Tensor tensor, int rows, string what)
    {
        if (tensor.Rank != 2 || tensor.Rows != rows)
            throw new ArgumentException($"Cannot {what} {tensor.ShapeText} along the sequence at rank {context.Rank} of {context.Size}: it must have {rows} rows.");
    }
}
