using System.Runtime.Serialization;
using Akka.Actor;
using AkkaSerialization = Akka.Serialization.Serialization;

namespace TpActors.Runtime.IO;

/// <summary>
/// The field encodings every TpActors protocol serializer shares: strings length-prefixed UTF-8 (BinaryWriter's own),
/// optional strings behind a presence byte, lists behind a bounded count, enums as checked ints, actor references as their
/// full paths. What is out of range is refused with <see cref="SerializationException"/>, never a crash or an unbounded
/// allocation.
/// </summary>
public static class WireFormat
{
    /// <summary>The longest list or map a message may carry.</summary>
    public const int MaxItems = 1 << 20;

    /// <summary>Writes <paramref name="text"/>, which may be null.</summary>
    public static void WriteOptional(this BinaryWriter w, string? text)
    {
        w.Write(text is not null);
        if (text is not null) w.Write(text);
    }

    /// <summary>Reads what <see cref="WriteOptional"/> wrote.</summary>
    public static string? ReadOptional(this BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;

    /// <summary>Writes the count of <paramref name="items"/>, then each with <paramref name="write"/>.</summary>
    public static void WriteList<T>(this BinaryWriter w, IReadOnlyCollection<T> items, Action<BinaryWriter, T> write)
    {
        w.Write(items.Count);
        foreach (var item in items) write(w, item);
    }

    /// <summary>Reads what <see cref="WriteList{T}"/> wrote; a count out of 0 … <see cref="MaxItems"/> is refused.</summary>
    public static List<T> ReadList<T>(this BinaryReader r, Func<BinaryReader, T> read)
    {
        int count = r.ReadInt32();
        if (count is < 0 or > MaxItems) throw new SerializationException($"A list of {count} items is out of range (0 to {MaxItems}).");
        var items = new List<T>(Math.Min(count, 1024));
        for (int i = 0; i < count; i++) items.Add(read(r));
        return items;
    }

    /// <summary>Reads an int that must lie in <paramref name="min"/> … <paramref name="max"/> (<paramref name="what"/> names it in the refusal).</summary>
    public static int ReadInt32In(this BinaryReader r, int min, int max, string what)
    {
        int value = r.ReadInt32();
        return value >= min && value <= max ? value : throw new SerializationException($"{what} of {value} is out of range ({min} to {max}).");
    }

    /// <summary>Reads an enum written as its int; a value it does not define is refused.</summary>
    public static T ReadEnum<T>(this BinaryReader r) where T : struct, Enum
    {
        int value = r.ReadInt32();
        var typed = (T)(object)value;
        return Enum.IsDefined(typed) ? typed : throw new SerializationException($"{value} is not a {typeof(T).Name}.");
    }

    /// <summary>Writes <paramref name="actor"/> as its full path, with this process's address where it is local.</summary>
    public static void WriteActor(this BinaryWriter w, IActorRef actor) => w.Write(AkkaSerialization.SerializedActorPath(actor));

    /// <summary>Reads what <see cref="WriteActor"/> wrote, resolved in <paramref name="system"/>.</summary>
    public static IActorRef ReadActor(this BinaryReader r, ExtendedActorSystem system) => system.Provider.ResolveActorRef(r.ReadString());

    /// <summary>The Akka address <paramref name="text"/> names.</summary>
    public static Address ParseAddress(string text) => Address.TryParse(text, out var address) ? address
        : throw new SerializationException($"'{text}' is not an Akka address.");
}
