using System.Runtime.InteropServices;
using System.Text;
using TpActors.Layers.Sharding;
using TpActors.Layers.Tensors;

namespace TpActors.Layers.Execution;

/// <summary>
/// A <see cref="ShardState"/> as bytes for the bulk lane, when a rank and its supervisor are in different processes:
/// magic, step, tensor count, then per tensor its name, axis, rank, dimensions and raw little-endian floats.
/// </summary>
public static class ShardStateWire
{
    private const int Magic = 0x31535054; // "TPS1"

    /// <summary>The bytes of <paramref name="state"/>.</summary>
    public static byte[] ToBytes(ShardState state)
    {
        using var stream = new MemoryStream((int)Math.Min(int.MaxValue, state.Bytes + 64L * state.Tensors.Count + 16));
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(state.Step);
            writer.Write(state.Tensors.Count);
            foreach (var tensor in state.Tensors)
            {
                writer.Write(tensor.Name);
                writer.Write((int)tensor.Axis);
                writer.Write(tensor.Value.Rank);
                writer.Write(tensor.Value.Rows);
                writer.Write(tensor.Value.Cols);
                var value = tensor.Value.IsContiguous ? tensor.Value : tensor.Value.Clone();
                writer.Write(MemoryMarshal.AsBytes(value.Span));
                if (!ReferenceEquals(value, tensor.Value)) value.Dispose();
            }
        }
        return stream.ToArray();
    }

    /// <summary>The state in <paramref name="bytes"/>; it owns its tensors.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a state.</exception>
    public static ShardState FromBytes(byte[] bytes)
    {
        var tensors = new List<ShardTensor>();
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
            if (reader.ReadInt32() != Magic) throw new InvalidDataException("The bytes are not a rank's training state.");
            long step = reader.ReadInt64();
            int count = reader.ReadInt32();
            for (int t = 0; t < count; t++)
            {
                string name = reader.ReadString();
                var axis = (ShardAxis)reader.ReadInt32();
                int rank = reader.ReadInt32(), rows = reader.ReadInt32(), cols = reader.ReadInt32();
                if (rank is not (1 or 2) || rows < 0 || cols < 0 || (long)rows * cols * sizeof(float) > bytes.Length)
                    throw new InvalidDataException($"Tensor '{name}' of the state has an impossible shape (rank {rank}, {rows} x {cols}).");
                var value = rank == 1 ? Tensor.UninitializedVector(cols) : Tensor.Uninitialized(rows, cols);
                tensors.Add(new ShardTensor(name, axis, value));
                if (reader.Read(MemoryMarshal.AsBytes(value.Span)) != value.Length * sizeof(float)) throw new EndOfStreamException();
            }
            return new ShardState(step, tensors);
        }
        catch (EndOfStreamException)
        {
            foreach (var tensor in tensors) tensor.Value.Dispose();
            throw new InvalidDataException("The rank's training state ended early.");
        }
        catch
        {
            foreach (var tensor in tensors) tensor.Value.Dispose();
            throw;
        }
    }
}
