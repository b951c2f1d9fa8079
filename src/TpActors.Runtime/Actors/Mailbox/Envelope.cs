namespace TpActors.Runtime.Actors;

/// <summary>A user message and its sender, as stored in a mailbox. A struct, so queueing a message allocates nothing.</summary>
/// <param name="Message">The message.</param>
/// <param name="Sender">The sender, or null.</param>
internal readonly record struct Envelope(object Message, IActorRef? Sender);
