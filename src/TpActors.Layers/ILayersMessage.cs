namespace TpActors.Layers;

/// <summary>
/// A message of this project that may cross processes: Akka serializes every implementation with
/// <see cref="Serialization.ProtocolSerializer"/> (bound to this interface under <c>akka.actor.serialization-bindings</c> in
/// reference.conf), never with JSON. The Runtime project marks and serializes its own messages the same way.
/// </summary>
public interface ILayersMessage
{
}
