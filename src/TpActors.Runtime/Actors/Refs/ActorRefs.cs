namespace TpActors.Runtime.Actors;

/// <summary>Well-known refs: the absent sender and the actor that is nobody.</summary>
public static class ActorRefs
{
    /// <summary>No sender: a reply to it goes to dead letters.</summary>
    public static readonly IActorRef? NoSender = null;

    /// <summary>A ref that names no actor; messages to it are dropped. Returned when a lookup finds nothing.</summary>
    public static readonly IActorRef Nobody = new NobodyRef();

    private sealed class NobodyRef() : MinimalActorRef(ActorPath.Parse("tpactors://nobody/"))
    {
        public override void Tell(object message, IActorRef? sender) { }
    }
}
