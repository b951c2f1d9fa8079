using Akka.Actor;
using TpActors.Runtime.IO;

namespace TpActors.Layers.Serialization;

/// <summary>
/// Akka's serializer for every message of this project that crosses a process (each <see cref="ILayersMessage"/>, bound
/// under <c>akka.actor.serialization-bindings</c> in reference.conf): a compact binary form written by
/// <see cref="ProtocolCodec"/>, one tag per type. Control messages only: a tensor never rides on Akka.Remote (see
/// <see cref="Ranks.BulkLaneTicket"/> and <see cref="BulkLaneBodySerializer"/>).
/// </summary>
public sealed class ProtocolSerializer(ExtendedActorSystem system) : WireSerializer(system)
{
    /// <summary>The serializer's id in Akka's registry; every process of a cluster uses the same.</summary>
    public const int Id = 7301;

    /// <inheritdoc/>
    public override int Identifier => Id;

    /// <inheritdoc/>
    protected override void Write(BinaryWriter w, object message) => new ProtocolCodec(ExtendedSystem).Write(w, message);

    /// <inheritdoc/>
    protected override object Read(BinaryReader r) =>
        new ProtocolCodec(ExtendedSystem).Read(r) ?? throw new System.Runtime.Serialization.SerializationException("The message was empty.");
}
