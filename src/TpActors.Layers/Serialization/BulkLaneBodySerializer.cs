using Akka.Actor;
using TpActors.Layers.Ranks;
using TpActors.Runtime.IO;

namespace TpActors.Layers.Serialization;

/// <summary>
/// The serializer of <see cref="BulkLaneTicket"/>s' bodies, which travel on the bulk lane and may carry tensors (shape, then raw
/// little-endian floats); otherwise the form of <see cref="ProtocolSerializer"/>. Bound to <see cref="BulkLaneBody"/> in
/// reference.conf, so a bulk-lane ticket finds it without naming it.
/// </summary>
public sealed class BulkLaneBodySerializer(ExtendedActorSystem system) : WireSerializer(system)
{
    /// <inheritdoc/>
    /// <summary>The serializer's id in Akka's registry.</summary>
    public const int Id = 7302;

    /// <inheritdoc/>
    public override int Identifier => Id;

    /// <inheritdoc/>
    protected override void Write(BinaryWriter w, object message) =>
        new ProtocolCodec(ExtendedSystem, tensors: true).Write(w, ((BulkLaneBody)message).Message);

    /// <inheritdoc/>
    protected override object Read(BinaryReader r) => new BulkLaneBody(
        new ProtocolCodec(ExtendedSystem, tensors: true).Read(r) ?? throw new System.Runtime.Serialization.SerializationException("The ticket's body was empty."));
}
