namespace TpActors.Layers.Sharding;

/// <summary>How a parameter is split over the ranks of a tensor-parallel group.</summary>
public enum ShardAxis
{
    /// <summary>Each rank holds a block of columns (the last dimension; a block of a vector).</summary>
    Columns,

    /// <summary>Each rank holds a block of rows.</summary>
    Rows,

    /// <summary>Each rank holds the whole parameter (e.g. a row-parallel bias), identical everywhere.</summary>
    Replicated,
}
