namespace TpActors.Runtime.Actors;

/// <summary>Delivered once to each watcher (see <see cref="IActorContext.Watch"/>) when the watched actor has stopped, also when it was already dead at the time of the watch.</summary>
/// <param name="ActorRef">The actor that stopped.</param>
public sealed record Terminated(IActorRef ActorRef);
