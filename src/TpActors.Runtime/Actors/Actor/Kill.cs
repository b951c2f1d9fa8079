namespace TpActors.Runtime.Actors;

/// <summary>A user message that makes the actor fail with <see cref="ActorKilledException"/> when it reaches it; its supervisor decides (by default: stop).</summary>
public sealed class Kill
{
    private Kill() { }

    /// <summary>The one instance.</summary>
    public static Kill Instance { get; } = new();
}
