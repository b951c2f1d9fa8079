namespace TpActors.Runtime.Actors;

/// <summary>The user-message queue of a mailbox: many producers, one consumer (the actor's turn).</summary>
internal interface IMessageQueue
{
    /// <summary>Whether a message is waiting; exact only for the consumer.</summary>
    bool HasMessages { get; }

    /// <summary>Messages waiting; for diagnostics.</summary>
    int Count { get; }

    /// <summary>Adds a message; false when a bounded queue refuses it (it then belongs in dead letters). May block a producer (back-pressure).</summary>
    bool TryEnqueue(in Envelope envelope);

    /// <summary>Takes the oldest message. Only the actor's turn calls this.</summary>
    bool TryDequeue(out Envelope envelope);
}
