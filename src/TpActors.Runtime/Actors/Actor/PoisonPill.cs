namespace TpActors.Runtime.Actors;

/// <summary>A user message that stops the actor when it reaches it, after the messages queued before it.</summary>
public sealed class PoisonPill
{
    private PoisonPill() { }

    /// <summary>The one instance.</summary>
    public static PoisonPill Instance { get; } = new();
}
