using TpActors.Runtime.Actors;

namespace TpActors.Testing;

/// <summary>A message a probe received, with its sender.</summary>
/// <param name="Message">The message.</param>
/// <param name="Sender">Who sent it, or null.</param>
public sealed record ReceivedMessage(object Message, IActorRef? Sender);
