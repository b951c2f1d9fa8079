namespace TpActors.Runtime.Actors;

/// <summary>One <c>Receive&lt;T&gt;</c> registration: a type test, an optional predicate, and a synchronous or asynchronous handler.</summary>
internal abstract class ReceiveHandler
{
    /// <summary>Handles <paramref name="message"/> if it matches; a pending task is returned through <paramref name="pending"/>.</summary>
    public abstract bool TryHandle(object message, out Task? pending);
}

/// <summary>A handler for messages of type <typeparamref name="T"/>.</summary>
internal sealed class ReceiveHandler<T>(Action<T>? handle, Func<T, Task>? handleAsync, Predicate<T>? shouldHandle) : ReceiveHandler
{
    public override bool TryHandle(object message, out Task? pending)
    {
        pending = null;
        if (message is not T typed || (shouldHandle is not null && !shouldHandle(typed))) return false;
        if (handle is not null) handle(typed);
        else pending = RunAsync(handleAsync!, typed);
        return true;
    }

    // Starts the handler under the actor's synchronization context, so its continuations keep the actor as current.
    private static Task RunAsync(Func<T, Task> handler, T message)
    {
        var outer = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(ActorCell.Current!.SynchronizationContext);
        try
        {
            return handler(message);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(outer);
        }
    }
}
