namespace TpActors.Runtime.Actors;

/// <summary>A handle to an actor: the only way to talk to it. Two refs are equal when they name the same incarnation of the same actor.</summary>
public interface IActorRef : IEquatable<IActorRef>
{
    /// <summary>Where the actor lives, e.g. <c>tpactors://sys/user/ranks/rank-0</c>.</summary>
    ActorPath Path { get; }

    /// <summary>
    /// Sends a message and returns at once; the message goes to dead letters if the actor has stopped.
    /// Never throws for a stopped actor. Messages from one sender to one receiver arrive in the order they were sent.
    /// </summary>
    /// <param name="message">The message; a local message is handed over, not copied: the sender must not change it afterwards.</param>
    /// <param name="sender">Who the receiver sees as <see cref="IActorContext.Sender"/>; null for no sender.</param>
    void Tell(object message, IActorRef? sender);
}
