namespace TpActors.Runtime.Actors;

/// <summary>An actor did not handle the <see cref="Terminated"/> of an actor it watched; the default decider stops it (the death pact).</summary>
public sealed class DeathPactException(IActorRef deadActor)
    : Exception($"Terminated of watched actor {deadActor.Path} was not handled, so the watcher stops too (death pact).")
{
    /// <summary>The watched actor that stopped.</summary>
    public IActorRef DeadActor { get; } = deadActor;
}
