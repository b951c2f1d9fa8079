namespace TpActors.Runtime.Cluster;

/// <summary>
/// A message of this project that may cross processes: Akka serializes every implementation with
/// <see cref="ClusterMessageSerializer"/> (bound to this interface under <c>akka.actor.serialization-bindings</c> in
/// reference.conf), never with JSON. Each project marks and serializes its own messages.
/// </summary>
public interface IClusterMessage
{
}
