namespace TpActors.Runtime.Actors;

/// <summary>A ref that runs a delegate on the sender's thread for every message; used for event-stream subscribers that only log.</summary>
internal sealed class FunctionRef(ActorPath path, Action<object, IActorRef?> onMessage) : MinimalActorRef(path)
{
    public override void Tell(object message, IActorRef? sender) => onMessage(message, sender);
}
