namespace TpActors.Runtime.Actors;

/// <summary>Replies that report the outcome of a request; <see cref="AskExtensions.Ask{T}"/> turns <see cref="Failure"/> into a faulted task.</summary>
public static class Status
{
    /// <summary>The request succeeded.</summary>
    /// <param name="Value">An optional result.</param>
    public sealed record Success(object? Value);

    /// <summary>The request failed.</summary>
    /// <param name="Cause">Why.</param>
    public sealed record Failure(Exception Cause);
}
