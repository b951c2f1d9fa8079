namespace TpActors.Runtime.Actors;

/// <summary>The actor above every actor a user or the runtime starts (<c>/user</c>, <c>/system</c>); it handles no messages of its own.</summary>
internal sealed class GuardianActor : ActorBase
{
    protected override bool Receive(object message) => false;
}
