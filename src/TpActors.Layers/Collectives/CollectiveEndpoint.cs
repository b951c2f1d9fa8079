using Akka.Actor;

namespace TpActors.Layers.Collectives;

/// <summary>
/// Where one instance of a rank takes its collective messages: the rank's actor and the instance's number. Plain data, so it
/// can travel in a message; a transport turns it into an <see cref="ICollectiveLink"/>. A restarted rank has a new instance
/// number, so a peer still holding the old endpoint reaches nothing rather than the new instance's rounds.
/// </summary>
/// <param name="Rank">The rank actor.</param>
/// <param name="Instance">The instance, unique within the process.</param>
public sealed record CollectiveEndpoint(IActorRef Rank, long Instance)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Rank.Path} #{Instance}";
}
