namespace TpActors.Runtime.Cluster;

/// <summary>
/// A TpActors message that may cross processes: Akka serializes every implementation with the project's protocol serializer
/// (bound to this interface under <c>akka.actor.serialization-bindings</c> in reference.conf), never with JSON.
/// </summary>
public interface IClusterMessage
{
}
