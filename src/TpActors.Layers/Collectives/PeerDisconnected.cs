namespace TpActors.Layers.Collectives;

/// <summary>
/// A bulk-lane connection from rank <paramref name="Peer"/> of group <paramref name="Group"/> (in another process) ended
/// without its goodbye: the first sign, within milliseconds, that the peer's process has died, since a dead process's
/// kernel closes its sockets at once. Evidence, not proof: a supervisor suspects the peer's host and lets Akka.Cluster's
/// membership view confirm it.
/// </summary>
/// <param name="Group">The group whose rounds the connection carried.</param>
/// <param name="Peer">The rank, in that group, that sent them.</param>
public sealed record PeerDisconnected(string Group, int Peer);
