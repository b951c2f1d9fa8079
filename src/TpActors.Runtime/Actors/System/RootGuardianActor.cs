namespace TpActors.Runtime.Actors;

/// <summary>
/// The root (<c>/</c>): it watches <c>/user</c> and <c>/system</c>. When <c>/user</c> has stopped (Terminate, or a failure
/// escalated to the top) it stops <c>/system</c>, and when that has stopped it stops itself, which ends the actor system.
/// </summary>
internal sealed class RootGuardianActor : ActorBase
{
    protected override void PreStart()
    {
        Context.Watch(Context.Child("user"));
        Context.Watch(Context.Child("system"));
    }

    protected override bool Receive(object message)
    {
        if (message is not Terminated terminated) return false;
        if (terminated.ActorRef.Path.Name == "user") Context.Stop(Context.Child("system"));
        else Context.Stop(Self);
        return true;
    }
}
