namespace TpActors.Runtime.Actors;

/// <summary>An actor name breaks the naming rule or is already taken by a live sibling.</summary>
public sealed class InvalidActorNameException(string message) : Exception(message);
