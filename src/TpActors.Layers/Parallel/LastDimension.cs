using TpActors.Layers.Tensors;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Parallel;

/// <summary>The two primitives under the scatter/gather mappings: take this rank's block of the last dimension, and all-gather blocks along it.</summary>
internal static class LastDimension
{
    /// <summary>A contiguous copy of this rank's balanced column block of <paramref name="full"/>.</summary>
    public static Tensor Split(ParallelContext context, Tensor full)
    {
        int start = Partition.Start(full.Cols, context.Size, context.Rank);
        int count = Partition.Size(full.Cols, context.Size, context.Rank);
        var block = Tensor.Uninitialized(full.Rows, count);
        context.Backend.Copy(full.ColumnBlock(start, count), block);
        return block;
    }

    /// <summary>
    /// [rows, cols_r] blocks from every rank → [rows, <paramref name="fullCols"/>]. The ring gathers the blocks as they lie
    /// in memory (rank by rank), then each block is copied into its columns.
    /// </summary>
    public static Tensor Gather(ParallelContext context, Tensor local, int fullCols)
    {
        int expected = Partition.Size(fullCols, context.Size, context.Rank);
        if (local.Cols != expected)
            throw new ArgumentException($"Cannot gather {local.ShapeText} at rank {context.Rank} of {context.Size} into {fullCols} columns: this rank's block has {expected} columns.");
        var result = Tensor.Uninitialized(local.Rows, fullCols);
        if (context.Size == 1)
        {
            local.CopyTo(result);
            return result;
        }
        int[] widths = Partition.Sizes(fullCols, context.Size);
        int[] counts = widths.Select(w => w * local.Rows).ToArray();
        using var gathered = Tensor.UninitializedVector(local.Rows * fullCols);
        context.Group.AllGather(local, gathered, counts);
        for (int r = 0, offset = 0, column = 0; r < context.Size; offset += counts[r], column += widths[r], r++)
            gathered.ColumnBlock(offset, counts[r]).Reshape(local.Rows, widths[r]).CopyTo(result.ColumnBlock(column, widths[r]));
        return result;
    }
}
