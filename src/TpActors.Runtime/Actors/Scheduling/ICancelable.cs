namespace TpActors.Runtime.Actors;

/// <summary>A handle to scheduled work: cancel it so that it runs no more.</summary>
public interface ICancelable
{
    /// <summary>Stops the work from running again; a run already started finishes. Calling it twice is harmless.</summary>
    void Cancel();

    /// <summary>Whether <see cref="Cancel"/> was called.</summary>
    bool IsCancellationRequested { get; }
}
