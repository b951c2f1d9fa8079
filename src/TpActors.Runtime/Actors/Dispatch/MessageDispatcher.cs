namespace TpActors.Runtime.Actors;

/// <summary>Decides which thread runs an actor's turn. Configured by a section such as <c>tpactors.actor.default-dispatcher</c>.</summary>
internal abstract class MessageDispatcher(string id, int throughput)
{
    /// <summary>The config path this dispatcher was read from.</summary>
    public string Id { get; } = id;

    /// <summary>User messages an actor processes in one turn.</summary>
    public int Throughput { get; } = throughput;

    /// <summary>Called once when an actor starts using this dispatcher, before its first turn.</summary>
    public virtual void Attach(Mailbox mailbox) { }

    /// <summary>Called once after an actor's last turn.</summary>
    public virtual void Detach(Mailbox mailbox) { }

    /// <summary>Runs <see cref="Mailbox.Run"/> once, soon. Called only by the caller that moved the mailbox from Idle to Scheduled.</summary>
    public abstract void Dispatch(Mailbox mailbox);

    /// <summary>Ends what the dispatcher owns (threads) when the actor system has terminated.</summary>
    public virtual void Shutdown() { }
}
