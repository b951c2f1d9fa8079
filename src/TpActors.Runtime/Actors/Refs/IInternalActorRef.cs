namespace TpActors.Runtime.Actors;

/// <summary>What the runtime needs from a ref beyond Tell: system messages.</summary>
internal interface IInternalActorRef : IActorRef
{
    /// <summary>Queues a system message, which overtakes every user message. A message to a dead actor is answered as the dead would answer (a Watch gets Terminated).</summary>
    void SendSystemMessage(SystemMessage message);
}
