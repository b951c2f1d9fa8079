namespace TpActors.Layers.Collectives;

/// <summary>
/// Names one collective round: the group, the group's operation sequence number (every member counts its collectives,
/// and all members call them in the same order, so they agree) and the operation. Messages of different rounds never mix.
/// </summary>
/// <param name="Group">The group's name, e.g. "tp".</param>
/// <param name="Sequence">1 for the group's first collective, 2 for the next, …</param>
/// <param name="Operation">What the round computes.</param>
public readonly record struct RoundId(string Group, long Sequence, CollectiveOperation Operation)
{
    /// <inheritdoc/>
    public override string ToString() => $"{OperationName(Operation)} round {Sequence} of group '{Group}'";

    /// <summary>The operation as written in messages, e.g. "all-reduce".</summary>
    public static string OperationName(CollectiveOperation operation) => operation switch
    {
        CollectiveOperation.AllReduce => "all-reduce",
        CollectiveOperation.ReduceScatter => "reduce-scatter",
        CollectiveOperation.AllGather => "all-gather",
        CollectiveOperation.Broadcast => "broadcast",
        CollectiveOperation.Barrier => "barrier",
        _ => operation.ToString(),
    };
}
