namespace TpActors.Runtime.Actors;

/// <summary><c>/deadLetters</c>: every message sent here, or to an actor that has stopped, is published on the event stream as a <see cref="DeadLetter"/>.</summary>
internal sealed class DeadLetterActorRef(ActorPath path, EventStream events) : MinimalActorRef(path)
{
    public override void Tell(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        Publish(message, sender, this);
    }

    /// <summary>Publishes a message that could not reach <paramref name="recipient"/>. Unwraps a message that already is a dead letter.</summary>
    public void Publish(object message, IActorRef? sender, IActorRef recipient) =>
        events.Publish(message as DeadLetter ?? new DeadLetter(message, sender, recipient));
}
