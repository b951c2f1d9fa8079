namespace TpActors.Runtime.Actors;

/// <summary>What the runtime needs from a ref beyond Tell: system messages and the supervision tree.</summary>
internal interface IInternalActorRef : IActorRef
{
    /// <summary>The supervisor, or null for the root guardian and for refs that are not actors.</summary>
    IInternalActorRef? ParentRef { get; }

    /// <summary>Whether the actor has finished stopping; a hint, since it may stop right after this returns false.</summary>
    bool IsTerminated { get; }

    /// <summary>Queues a system message, which overtakes every user message. A message to a dead actor is answered as the dead would answer (a Watch gets Terminated).</summary>
    void SendSystemMessage(SystemMessage message);
}
