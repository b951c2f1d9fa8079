using System.Buffers.Binary;
using System.Text;

namespace TpActors.Layers.Tensors;

/// <summary>
/// Writes and reads NumPy <c>.npy</c> files (format version 1.0) holding a little-endian float32 array in C order,
/// so that any other tool (<c>numpy.load</c>) can read what a run computed.
/// </summary>
public static class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0];

    /// <summary>Writes <paramref name="tensor"/> to <paramref name="path"/> with its shape.</summary>
    public static void Write(string path, Tensor tensor)
    {
        string shape = tensor.Rank == 1 ? $"({tensor.Cols},)" : $"({tensor.Rows}, {tensor.Cols})";
        string dictionary = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}";
        // The header (magic, version, length, dictionary, padding, newline) ends on a 64-byte boundary.
        int unpadded = Magic.Length + 2 + dictionary.Length + 1;
        int padding = (64 - unpadded % 64) % 64;
        string header = dictionary + new string(' ', padding) + "\n";

        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        stream.Write(Magic);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        stream.Write(length);
        stream.Write(Encoding.ASCII.GetBytes(header));
        var row = new byte[tensor.Cols * sizeof(float)];
        for (int r = 0; r < tensor.Rows; r++)
        {
            var values = tensor.Row(r);
            for (int j = 0; j < values.Length; j++) BinaryPrimitives.WriteSingleLittleEndian(row.AsSpan(j * 4), values[j]);
            stream.Write(row);
        }
    }

    /// <summary>Reads a float32 C-order array of rank 1 or 2 written by <see cref="Write"/> or NumPy.</summary>
    /// <exception cref="InvalidDataException">The file is not such an array; the message says what differs.</exception>
    public static Tensor Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic.AsSpan(0, 6)))
            throw new InvalidDataException($"{path}: not a .npy file (no \\x93NUMPY magic).");
        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        string header = Encoding.ASCII.GetString(bytes, 10, Math.Min(headerLength, bytes.Length - 10));
        if (!header.Contains("'descr': '<f4'", StringComparison.Ordinal) || !header.Contains("'fortran_order': False", StringComparison.Ordinal))
            throw new InvalidDataException($"{path}: expected a little-endian float32 array in C order, but the header is {header.Trim()}.");
        int open = header.IndexOf('(', StringComparison.Ordinal), close = header.IndexOf(')', StringComparison.Ordinal);
        var dims = header[(open + 1)..close].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        int count = dims.Aggregate(1, (a, d) => a * d);
        int dataStart = 10 + headerLength;
        if (dims.Length is < 1 or > 2 || bytes.Length - dataStart != count * 4)
            throw new InvalidDataException($"{path}: shape ({string.Join(", ", dims)}) needs {count * 4} data bytes but the file holds {bytes.Length - dataStart}.");
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(dataStart + 4 * i));
        return dims.Length == 1 ? Tensor.VectorFrom(values) : Tensor.FromArray(values, dims[0], dims[1]);
    }
}
