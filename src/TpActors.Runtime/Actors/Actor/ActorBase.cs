namespace TpActors.Runtime.Actors;

/// <summary>
/// The base of every actor. An actor is made only by the runtime (<c>ActorOf(Props.Create&lt;T&gt;())</c>), never with
/// <c>new</c>; it handles one message at a time, so its fields need no locks.
/// </summary>
public abstract class ActorBase
{
    private readonly ActorCell _cell;

    /// <summary>Binds the new instance to the actor being made; throws when called outside ActorOf.</summary>
    protected ActorBase()
    {
        _cell = ActorCell.Constructing ?? throw new InvalidOperationException(
            $"An actor of type {GetType().Name} cannot be made with 'new'; use ActorOf(Props.Create<{GetType().Name}>(...)) on an ActorSystem or an actor's Context.");
    }

    /// <summary>The actor's view of the runtime: Self, Sender, children, watch, become, stash.</summary>
    protected IActorContext Context => _cell;

    /// <summary>This actor.</summary>
    protected IActorRef Self => _cell.Self;

    /// <summary>The sender of the message being handled (dead letters when there is none).</summary>
    protected IActorRef Sender => _cell.Sender;

    /// <summary>The stash of this actor (Akka's <c>IWithUnboundedStash.Stash</c>).</summary>
    public IStash Stash => _cell.Stash;

    /// <summary>Handles one message; returns false to leave it unhandled (see <see cref="Unhandled"/>).</summary>
    protected abstract bool Receive(object message);

    /// <summary>Called for a message no behavior handled. Default: an unhandled <see cref="Terminated"/> fails the actor with <see cref="DeathPactException"/>; anything else is published as <see cref="UnhandledMessage"/>.</summary>
    protected virtual void Unhandled(object message)
    {
        if (message is Terminated terminated) throw new DeathPactException(terminated.ActorRef);
        _cell.System.EventStream.Publish(new UnhandledMessage(message, _cell.SenderOrNull, Self));
    }


    /// <summary>How this actor supervises its children (unless its Props set one). Default: <see cref="SupervisorStrategy.Default"/>.</summary>
    protected virtual SupervisorStrategy SupervisorStrategy() => Actors.SupervisorStrategy.Default;

    /// <summary>Runs once before the first message, and (by default) after a restart.</summary>
    protected virtual void PreStart() { }

    /// <summary>Runs once after the actor and all its children have stopped.</summary>
    protected virtual void PostStop() { }

    /// <summary>Runs on the failed instance before a restart. Default: stop every child, then <see cref="PostStop"/>.</summary>
    /// <param name="reason">The failure.</param>
    /// <param name="message">The message being handled when it failed, or null.</param>
    protected virtual void PreRestart(Exception reason, object? message)
    {
        foreach (var child in Context.Children) Context.Stop(child);
        PostStop();
    }

    /// <summary>Runs on the fresh instance after a restart. Default: <see cref="PreStart"/>.</summary>
    protected virtual void PostRestart(Exception reason) => PreStart();

    // The runtime's entry points to the protected members above.
    internal bool InvokeReceive(object message) => Receive(message);
    internal void InvokeUnhandled(object message) => Unhandled(message);
    internal SupervisorStrategy InvokeSupervisorStrategy() => SupervisorStrategy();
    internal void InvokePreStart() => PreStart();
    internal void InvokePostStop() => PostStop();
    internal void InvokePreRestart(Exception reason, object? message) => PreRestart(reason, message);
    internal void InvokePostRestart(Exception reason) => PostRestart(reason);
}
