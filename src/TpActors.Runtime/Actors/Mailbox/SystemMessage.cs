namespace TpActors.Runtime.Actors;

// The messages the runtime sends between cells to create, supervise, watch and stop actors. They travel in
// their own queue and overtake every user message; each is handled by ActorCell.SystemInvoke.

/// <summary>A message of the runtime's own protocol, never seen by an actor's receive.</summary>
internal abstract record SystemMessage;

/// <summary>First message of every actor: construct it and run PreStart.</summary>
internal sealed record Create : SystemMessage;

/// <summary>Stop: stop the children, wait for them, run PostStop, tell watchers and the parent.</summary>
internal sealed record Terminate : SystemMessage;

/// <summary>From the supervisor: restart after <paramref name="Cause"/> (PreRestart, new instance, PostRestart), keeping the mailbox.</summary>
internal sealed record Recreate(Exception Cause) : SystemMessage;

/// <summary>From the supervisor: carry on with the same instance after a failure.</summary>
internal sealed record Resume : SystemMessage;

/// <summary>From a child to its supervisor: the child failed with <paramref name="Cause"/> while handling <paramref name="Message"/> (null when not in a receive).</summary>
internal sealed record Failed(IInternalActorRef Child, Exception Cause, object? Message) : SystemMessage;

/// <summary>From a child to its parent: the child has stopped and its name is free again.</summary>
internal sealed record ChildTerminated(IInternalActorRef Child) : SystemMessage;

/// <summary>Ask <paramref name="Watchee"/> to tell <paramref name="Watcher"/> when it stops.</summary>
internal sealed record Watch(IInternalActorRef Watchee, IInternalActorRef Watcher) : SystemMessage;

/// <summary>Withdraw a <see cref="Watch"/>.</summary>
internal sealed record Unwatch(IInternalActorRef Watchee, IInternalActorRef Watcher) : SystemMessage;

/// <summary>To a watcher: <paramref name="Actor"/> has stopped (turned into a <see cref="Terminated"/> user message).</summary>
internal sealed record DeathWatchNotification(IActorRef Actor) : SystemMessage;
