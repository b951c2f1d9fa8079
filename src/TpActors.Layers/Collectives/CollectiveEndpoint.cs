using TpActors.Runtime.Cluster;
using Akka.Actor;

namespace TpActors.Layers.Collectives;

/// <summary>
/// Where one instance of a rank takes its collective messages: the rank's actor, the instance's number, and the bulk lane
/// of its process (null for a process without one: every peer is then in the same process). Plain data, so it can travel
/// in a message; a transport turns it into an <see cref="ICollectiveLink"/>. A restarted rank has a new instance number,
/// so a peer still holding the old endpoint reaches nothing rather than the new instance's rounds.
/// </summary>
/// <param name="Rank">The rank actor.</param>
/// <param name="Instance">The instance, unique within its process.</param>
/// <param name="Lane">The host:port of its process's bulk lane, or null.</param>
public sealed record CollectiveEndpoint(IActorRef Rank, long Instance, string? Lane = null) : ILayersMessage
{
    /// <summary>Two endpoints are one when instance and lane agree (an actor reference that crossed a process may differ in form).</summary>
    public bool Equals(CollectiveEndpoint? other) => other is not null && Instance == other.Instance && Lane == other.Lane;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Instance, Lane);

    /// <inheritdoc/>
    public override string ToString() => Lane is null ? $"{Rank.Path} #{Instance}" : $"{Rank.Path} #{Instance} at {Lane}";
}
