using System.Diagnostics;

namespace TpActors.Runtime.Actors;

/// <summary>The ref to an actor in this process: Tell puts the message in the actor's mailbox.</summary>
[DebuggerDisplay("{Path} (uid {Uid})")]
internal sealed class LocalActorRef(ActorPath path, long uid) : ActorRefBase(path, uid), IInternalActorRef
{
    /// <summary>The actor's cell; set once, right after construction, before the ref is handed out.</summary>
    internal ActorCell Cell { get; set; } = null!;

    public override void Tell(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        Cell.Mailbox.Post(new Envelope(message, sender));
    }

    public void SendSystemMessage(SystemMessage message) => Cell.Mailbox.PostSystem(message);
}
