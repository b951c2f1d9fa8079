namespace TpActors.Layers.Collectives;

/// <summary>Members of a group called different collectives (or the same one with different sizes) as the same round.</summary>
public sealed class CollectiveMismatchException(string message) : Exception(message);
