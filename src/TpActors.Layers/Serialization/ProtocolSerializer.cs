using Akka.Actor;
using Akka.Serialization;

namespace TpActors.Layers.Serialization;

/// <summary>
/// Akka's serializer for every TpActors message that crosses a process (bound to each type under
/// <c>akka.actor.serialization-bindings</c> in reference.conf): a compact binary form written by <see cref="ProtocolCodec"/>,
/// one tag per type. Control messages only: a tensor never rides on Akka.Remote (see <see cref="Execution.LaneLetter"/>).
/// </summary>
public sealed class ProtocolSerializer(ExtendedActorSystem system) : Serializer(system)
{
    /// <summary>The serializer's id in Akka's registry; every process of a cluster uses the same.</summary>
    public const int Id = 7301;

    /// <inheritdoc/>
    public override int Identifier => Id;

    /// <inheritdoc/>
    public override bool IncludeManifest => false;

    /// <inheritdoc/>
    public override byte[] ToBinary(object obj)
    {
        using var stream = new MemoryStream(128);
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            new ProtocolCodec(system).Write(writer, obj);
        return stream.ToArray();
    }

    /// <inheritdoc/>
    public override object FromBinary(byte[] bytes, Type type)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), System.Text.Encoding.UTF8);
        return new ProtocolCodec(system).Read(reader) ?? throw new System.Runtime.Serialization.SerializationException($"A {type.Name} message was empty.");
    }
}
