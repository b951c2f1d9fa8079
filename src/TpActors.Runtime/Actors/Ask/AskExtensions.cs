namespace TpActors.Runtime.Actors;

/// <summary>Request-reply from outside an actor (or from one that must wait): Ask sends a message and returns the reply as a task.</summary>
public static class AskExtensions
{
    /// <summary>
    /// Sends <paramref name="message"/> to <paramref name="target"/> with a temporary sender and returns its first reply.
    /// A <see cref="Status.Failure"/> reply faults the task with its cause; no reply within <paramref name="timeout"/>
    /// (default <c>tpactors.actor.ask-timeout</c>) faults it with <see cref="AskTimeoutException"/>, which names the target
    /// and the message type; a reply of another type faults it with <see cref="InvalidCastException"/>.
    /// </summary>
    public static Task<T> Ask<T>(this IActorRef target, object message, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(message);
        var system = (target as LocalActorRef)?.Cell.System ?? ActorCell.Current?.System
            ?? throw new ArgumentException($"Ask needs an actor of this process; {target.Path} is not one.", nameof(target));
        var wait = timeout ?? system.Settings.AskTimeout;
        if (wait <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), wait, "An Ask timeout must be positive.");
        var promise = new PromiseActorRef<T>(system.NewTempPath(), system, target, message.GetType(), wait);
        promise.Start(cancellationToken);
        target.Tell(message, promise);
        return promise.Task;
    }

    /// <summary>Ask for any reply.</summary>
    public static Task<object> Ask(this IActorRef target, object message, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        target.Ask<object>(message, timeout, cancellationToken);
}
