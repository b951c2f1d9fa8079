namespace TpActors.Runtime.Actors;

/// <summary>An <see cref="ActorSelection"/> named no live actor.</summary>
public sealed class ActorNotFoundException(string message) : Exception(message);
