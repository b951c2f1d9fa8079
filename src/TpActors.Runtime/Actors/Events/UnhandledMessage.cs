namespace TpActors.Runtime.Actors;

/// <summary>Published when an actor's current behavior did not handle a message.</summary>
/// <param name="Message">The message.</param>
/// <param name="Sender">Who sent it, or null.</param>
/// <param name="Recipient">The actor that did not handle it.</param>
public sealed record UnhandledMessage(object Message, IActorRef? Sender, IActorRef Recipient);
