using System.Runtime.Serialization;
using Akka.Actor;
using TpActors.Runtime.IO;

namespace TpActors.Runtime.Cluster;

/// <summary>
/// Akka's serializer for the messages of this project that cross processes (every <see cref="IClusterMessage"/>: the
/// host slots' protocol), bound under <c>akka.actor.serialization-bindings</c> in reference.conf: one tag per type, then
/// its fields (see <see cref="WireFormat"/>).
/// </summary>
public sealed class ClusterMessageSerializer(ExtendedActorSystem system) : WireSerializer(system)
{
    /// <summary>The serializer's id in Akka's registry; every process of a cluster uses the same.</summary>
    public const int Id = 7300;

    /// <inheritdoc/>
    public override int Identifier => Id;

    private enum Tag : byte { GetSlotOffer = 1, SlotOffer, LeaseSlots, SlotsLeased, ReleaseSlots, HostDraining }

    /// <inheritdoc/>
    protected override void Write(BinaryWriter w, object message)
    {
        switch (message)
        {
            case GetSlotOffer m: w.Write((byte)Tag.GetSlotOffer); w.Write(m.Challenge); break;
            case SlotOffer m: w.Write((byte)Tag.SlotOffer); w.Write(m.Slots); w.Write(m.Free); w.Write(m.Cores); w.Write(m.Proof); break;
            case LeaseSlots m: w.Write((byte)Tag.LeaseSlots); w.Write(m.Job); w.Write(m.Count); w.WriteActor(m.Holder); break;
            case SlotsLeased m: w.Write((byte)Tag.SlotsLeased); w.Write(m.Job); w.WriteList(m.Slots, (w2, s) => w2.Write(s)); break;
            case ReleaseSlots m: w.Write((byte)Tag.ReleaseSlots); w.Write(m.Job); break;
            case HostDraining m: w.Write((byte)Tag.HostDraining); w.Write(m.Node.ToString()); break;
            default: throw new ArgumentException($"{message.GetType().Name} is not a message of the host slots' protocol.");
        }
    }

    /// <inheritdoc/>
    protected override object Read(BinaryReader r)
    {
        var tag = (Tag)r.ReadByte();
        return tag switch
        {
            Tag.GetSlotOffer => new GetSlotOffer(r.ReadString()),
            Tag.SlotOffer => new SlotOffer(r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadString()),
            Tag.LeaseSlots => new LeaseSlots(r.ReadString(), r.ReadInt32(), r.ReadActor(ExtendedSystem)),
            Tag.SlotsLeased => new SlotsLeased(r.ReadString(), r.ReadList(r2 => r2.ReadInt32())),
            Tag.ReleaseSlots => new ReleaseSlots(r.ReadString()),
            Tag.HostDraining => new HostDraining(WireFormat.ParseAddress(r.ReadString())),
            _ => throw new SerializationException($"Unknown host-slot message tag {(byte)tag}."),
        };
    }
}
