namespace TpActors.Runtime.Actors;

/// <summary>A ref with no actor cell behind it (dead letters, nobody, Ask's promise, delegate subscribers): it has no mailbox and never receives system messages.</summary>
internal abstract class MinimalActorRef(ActorPath path) : ActorRefBase(path, 0), IInternalActorRef
{
    public virtual void SendSystemMessage(SystemMessage message)
    {
        // A watch on something that is not an actor is answered at once: it never lived, so it is already dead.
        if (message is Watch watch) watch.Watcher.SendSystemMessage(new DeathWatchNotification(this));
    }
}
