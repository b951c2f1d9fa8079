namespace TpActors.Layers.Collectives;

/// <summary>A collective round did not complete within its timeout; <see cref="MissingRanks"/> are the ranks that did not answer.</summary>
public sealed class CollectiveTimeoutException(RoundId round, int rank, IReadOnlyList<int> missingRanks, string message) : Exception(message)
{
    /// <summary>The round that timed out.</summary>
    public RoundId Round { get; } = round;

    /// <summary>The rank that raised this exception.</summary>
    public int Rank { get; } = rank;

    /// <summary>The ranks that did not answer, as worked out from the stall reports of every rank that did.</summary>
    public IReadOnlyList<int> MissingRanks { get; } = missingRanks;
}
