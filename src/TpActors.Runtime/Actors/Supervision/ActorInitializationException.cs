namespace TpActors.Runtime.Actors;

/// <summary>An actor failed while being made: in its constructor, PreStart or PostRestart. The default decider stops such an actor.</summary>
public sealed class ActorInitializationException(IActorRef actor, string message, Exception cause) : Exception(message, cause)
{
    /// <summary>The actor that could not start.</summary>
    public IActorRef Actor { get; } = actor;
}
