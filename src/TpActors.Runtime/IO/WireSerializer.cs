using Akka.Actor;
using System.Text;
using Akka.Serialization;

namespace TpActors.Runtime.IO;

/// <summary>
/// An Akka serializer whose messages are written by <see cref="Write"/> and read by <see cref="Read"/> in TpActors' compact
/// binary form (see <see cref="WireFormat"/>): each project's protocol serializer is one, for its own messages.
/// </summary>
public abstract class WireSerializer(ExtendedActorSystem system) : Serializer(system)
{
    /// <summary>The system actor references are resolved in.</summary>
    protected ExtendedActorSystem ExtendedSystem => system;

    /// <inheritdoc/>
    public override bool IncludeManifest => false;

    /// <summary>Writes <paramref name="message"/>.</summary>
    /// <exception cref="ArgumentException">It is not one of this serializer's messages.</exception>
    protected abstract void Write(BinaryWriter w, object message);

    /// <summary>Reads a message that <see cref="Write"/> wrote.</summary>
    /// <exception cref="System.Runtime.Serialization.SerializationException">The bytes are not such a message.</exception>
    protected abstract object Read(BinaryReader r);

    /// <inheritdoc/>
    public override byte[] ToBinary(object obj)
    {
        using var stream = new MemoryStream(128);
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true)) Write(writer, obj);
        return stream.ToArray();
    }

    /// <inheritdoc/>
    public override object FromBinary(byte[] bytes, Type type)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
        return Read(reader);
    }
}
