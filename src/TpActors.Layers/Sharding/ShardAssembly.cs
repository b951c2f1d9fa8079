using TpActors.Layers.Tensors;

namespace TpActors.Layers.Sharding;

/// <summary>Puts a parameter's shards (one per rank, by rank) back together into the full tensor.</summary>
public static class ShardAssembly
{
    /// <summary>The full value (or, with <paramref name="gradient"/>, the full gradient) of parameter <paramref name="name"/>, from every rank's shards (by rank).</summary>
    public static Tensor Assemble(IEnumerable<IReadOnlyList<ParameterShard>> ranks, string name, bool gradient = false)
    {
        var shards = ranks.Select(parameters => parameters.FirstOrDefault(p => p.Name == name)
            ?? throw new ArgumentException($"No parameter '{name}' (there are: {string.Join(", ", parameters.Select(p => p.Name))}).", nameof(name))).ToList();
        return Assemble(shards.Select(p => gradient ? p.Gradient : p.Value).ToList(), shards[0].Axis);
    }

    /// <summary>The full tensor: shards side by side (<see cref="ShardAxis.Columns"/>), stacked (<see cref="ShardAxis.Rows"/>), or rank 0's copy (<see cref="ShardAxis.Replicated"/>).</summary>
    public static Tensor Assemble(IReadOnlyList<Tensor> shards, ShardAxis axis)
    {
        if (shards.Count == 0) throw new ArgumentException("Cannot assemble a parameter from no shards.", nameof(shards));
        if (axis == ShardAxis.Replicated) return shards[0].Clone();
        if (shards[0].Rank == 1)
        {
            var vector = Tensor.UninitializedVector(shards.Sum(s => s.Length));
            int offset = 0;
            foreach (var shard in shards)
            {
                shard.CopyTo(vector.ColumnBlock(offset, shard.Length));
                offset += shard.Length;
            }
            return vector;
        }
        var result = axis == ShardAxis.Columns
            ? Tensor.Uninitialized(shards[0].Rows, shards.Sum(s => s.Cols))
            : Tensor.Uninitialized(shards.Sum(s => s.Rows), shards[0].Cols);
        int start = 0;
        foreach (var shard in shards)
        {
            var block = axis == ShardAxis.Columns ? result.ColumnBlock(start, shard.Cols) : result.RowBlock(start, shard.Rows);
            shard.CopyTo(block);
            start += axis == ShardAxis.Columns ? shard.Cols : shard.Rows;
        }
        return result;
    }
}
