namespace TpActors.Layers.Ranks;

/// <summary>A command failed on one or more ranks; the message names each rank and its error.</summary>
public sealed class RankFailedException(string message, IReadOnlyDictionary<int, Exception> failures) : Exception(message, failures.Values.FirstOrDefault())
{
    /// <summary>The error of each rank that failed.</summary>
    public IReadOnlyDictionary<int, Exception> Failures { get; } = failures;
}
