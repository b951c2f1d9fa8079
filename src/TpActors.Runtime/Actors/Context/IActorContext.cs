namespace TpActors.Runtime.Actors;

/// <summary>An actor's view of itself and the runtime, as in Akka's <c>Context</c>. Use it only from the actor's own handlers.</summary>
public interface IActorContext : IActorRefFactory
{
    /// <summary>This actor.</summary>
    IActorRef Self { get; }

    /// <summary>The sender of the message being handled; dead letters when there is none.</summary>
    IActorRef Sender { get; }

    /// <summary>The supervisor.</summary>
    IActorRef Parent { get; }

    /// <summary>The live children.</summary>
    IReadOnlyList<IActorRef> Children { get; }

    /// <summary>The actor system.</summary>
    ActorSystem System { get; }

    /// <summary>The Props this actor was made from.</summary>
    Props Props { get; }

    /// <summary>The live child with this name, or <see cref="ActorRefs.Nobody"/>.</summary>
    IActorRef Child(string name);

    /// <summary>Stops an actor (a child, or this actor itself) after the message being handled; its children stop first.</summary>
    void Stop(IActorRef actor);

    /// <summary>
    /// A ref named <c>Self.Path/name</c> whose <c>Tell</c> runs <paramref name="onMessage"/> at once on the sender's thread,
    /// outside this actor's mailbox (Akka's <c>AddFunctionRef</c>). The delegate must be thread-safe: it runs concurrently with this actor.
    /// </summary>
    IActorRef AddFunctionRef(string name, Action<object, IActorRef?> onMessage);

    /// <summary>Delivers one <see cref="Terminated"/> when <paramref name="subject"/> stops (at once if it already has). Watching twice still delivers one.</summary>
    IActorRef Watch(IActorRef subject);

    /// <summary>Withdraws a watch; no <see cref="Terminated"/> for <paramref name="subject"/> is received after this, even one already on its way.</summary>
    IActorRef Unwatch(IActorRef subject);

    /// <summary>Handles the next messages with <paramref name="behavior"/>: replacing the current one, or pushed on top of it when <paramref name="discardOld"/> is false.</summary>
    void Become(Receive behavior, bool discardOld = true);

    /// <summary>Goes back to the behavior under the current one (never below the initial one).</summary>
    void Unbecome();

    /// <summary>Sets the message being handled aside (see <see cref="IStash"/>).</summary>
    void Stash();

    /// <summary>Puts every stashed message back in front of the mailbox, in order.</summary>
    void UnstashAll();
}
