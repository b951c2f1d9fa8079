namespace TpActors.Layers.Collectives;

/// <summary>A collective round was abandoned because its group was aborted (see <see cref="AbortGroup"/>); not the rank's fault.</summary>
public sealed class CollectiveAbortedException(string group, string reason)
    : Exception($"The rounds of group '{group}' were aborted: {reason}")
{
    /// <summary>The aborted group.</summary>
    public string Group { get; } = group;
}
