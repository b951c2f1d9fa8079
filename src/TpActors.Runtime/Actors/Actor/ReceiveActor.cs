namespace TpActors.Runtime.Actors;

/// <summary>
/// An actor whose behavior is a list of typed handlers registered in its constructor, tried in order:
/// <code>
/// Receive&lt;Ping&gt;(p =&gt; Sender.Tell(new Pong(p.Id)));
/// ReceiveAsync&lt;Load&gt;(async l =&gt; Sender.Tell(await ReadAsync(l.Path)));
/// ReceiveAny(m =&gt; Log.LogWarning("unexpected {Message}", m));
/// </code>
/// <see cref="Become(Action)"/> replaces the list with one built by its argument.
/// </summary>
public abstract class ReceiveActor : ActorBase
{
    /// <summary>The handlers being registered: the initial ones during construction, then those of a Become in progress.</summary>
    private List<ReceiveHandler> _building = [];
    private readonly Receive _initial;

    /// <summary>Creates the actor; register handlers in the derived constructor.</summary>
    protected ReceiveActor()
    {
        var initial = _building;
        _initial = message => Dispatch(initial, message);
    }

    /// <summary>Handles messages of type <typeparamref name="T"/> (that pass <paramref name="shouldHandle"/>, if given).</summary>
    protected void Receive<T>(Action<T> handler, Predicate<T>? shouldHandle = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _building.Add(new ReceiveHandler<T>(handler, null, shouldHandle));
    }

    /// <summary>
    /// Handles messages of type <typeparamref name="T"/> asynchronously: until the returned task ends, the actor
    /// handles nothing else, not even a stop (its mailbox is suspended), so the handler may await without any lock.
    /// Code after an <c>await</c> runs on the thread pool (also for a pinned actor) with the actor as current, so
    /// <c>Sender</c>, <c>Self</c> and <c>Tell(message)</c> behave as before the await. An exception in the task fails
    /// the actor like one thrown by a synchronous handler; its supervisor decides.
    /// </summary>
    protected void ReceiveAsync<T>(Func<T, Task> handler, Predicate<T>? shouldHandle = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _building.Add(new ReceiveHandler<T>(null, handler, shouldHandle));
    }

    /// <summary>Handles every message no earlier handler took.</summary>
    protected void ReceiveAny(Action<object> handler) => Receive(handler);

    /// <summary>Replaces the behavior with the handlers that <paramref name="configure"/> registers.</summary>
    protected void Become(Action configure) => Context.Become(Build(configure));

    /// <summary>Pushes the handlers that <paramref name="configure"/> registers on top of the current behavior; <see cref="UnbecomeStacked"/> pops them.</summary>
    protected void BecomeStacked(Action configure) => Context.Become(Build(configure), discardOld: false);

    /// <summary>Goes back to the behavior under the current one.</summary>
    protected void UnbecomeStacked() => Context.Unbecome();

    /// <inheritdoc/>
    protected sealed override bool Receive(object message) => _initial(message);

    private Receive Build(Action configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var saved = _building;
        var handlers = _building = [];
        try
        {
            configure();
        }
        finally
        {
            _building = saved;
        }
        return message => Dispatch(handlers, message);
    }

    private bool Dispatch(List<ReceiveHandler> handlers, object message)
    {
        foreach (var handler in handlers)
        {
            if (!handler.TryHandle(message, out var pending)) continue;
            if (pending is not null && !pending.IsCompletedSuccessfully)
            {
                // A task that already failed is rethrown here, where the cell catches it like a synchronous failure.
                if (pending.IsCompleted) pending.GetAwaiter().GetResult();
                else ((ActorCell)Context).AwaitTask(pending, message);
            }
            return true;
        }
        return false;
    }
}
