using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TpActors.Layers.Tensors;

namespace TpActors.Layers.Checkpoints;

/// <summary>What was written: the file's size and its SHA-256 (lower-case hex).</summary>
public sealed record FileDigest(long Bytes, string Sha256);

/// <summary>
/// The safetensors format (as Hugging Face's <c>safetensors</c> reads it): an 8-byte little-endian header length n, n bytes
/// of JSON (<c>{"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}}</c>, padded with spaces
/// to a multiple of 8), then the tensors' raw little-endian bytes, offsets counted from the end of the header. Only F32.
/// Reading checks everything the format promises: the header fits, parses, and its offsets tile the data exactly.
/// </summary>
public static class SafeTensorsFile
{
    /// <summary>Largest header accepted when reading (as the reference implementation: 100 MB).</summary>
    public const int MaxHeaderBytes = 100_000_000;

    /// <summary>
    /// Writes <paramref name="tensors"/> and <paramref name="metadata"/> to <paramref name="path"/> atomically (see <see cref="DurableFile"/>).
    /// <paramref name="midway"/>, when given, runs once half the data is in the temporary file (a test's stand-in for a crash there).
    /// </summary>
    public static FileDigest Write(string path, IReadOnlyList<(string Name, Tensor Value)> tensors, IReadOnlyDictionary<string, string> metadata, Action? midway = null)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors data is little-endian; this machine is not.");
        byte[] header = Header(tensors, metadata);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long data = tensors.Sum(t => (long)t.Value.Length * sizeof(float));
        DurableFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            Emit(stream, hash, length);
            Emit(stream, hash, header);
            long written = 0;
            bool pastMidway = midway is null;
            foreach (var (_, value) in tensors)
            {
                for (int row = 0; row < value.Rows; row++)
                    Emit(stream, hash, MemoryMarshal.AsBytes(value.Row(row)));
                written += (long)value.Length * sizeof(float);
                if (!pastMidway && 2 * written >= data)
                {
                    pastMidway = true;
                    stream.Flush();
                    midway!();
                }
            }
        });
        return new FileDigest(8 + header.Length + data, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>Reads a whole file: its metadata and its tensors (which the caller owns), in file order.</summary>
    /// <exception cref="InvalidDataException">The file is truncated, or its header is malformed or disagrees with its data; the message says how.</exception>
    public static (IReadOnlyDictionary<string, string> Metadata, IReadOnlyList<(string Name, Tensor Value)> Tensors) Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        string name = Path.GetFileName(path);
        if (bytes.Length < 8) throw Invalid(name, $"it has {bytes.Length} bytes, fewer than the 8 of the header length (truncated)");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxHeaderBytes) throw Invalid(name, $"its header length is {headerLength} bytes, over the {MaxHeaderBytes} allowed");
        if (8 + (long)headerLength > bytes.Length)
            throw Invalid(name, $"its header length is {headerLength} bytes but only {bytes.Length - 8} follow (truncated)");
        var data = bytes.AsMemory(8 + (int)headerLength);

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        }
        catch (JsonException e)
        {
            throw Invalid(name, $"its header is not valid JSON ({e.Message})");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw Invalid(name, "its header is not a JSON object");
            var metadata = new Dictionary<string, string>();
            var entries = new List<(string Name, int[] Shape, long Begin, long End)>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    if (property.Value.ValueKind != JsonValueKind.Object) throw Invalid(name, "__metadata__ is not an object");
                    foreach (var item in property.Value.EnumerateObject())
                        metadata[item.Name] = item.Value.ValueKind == JsonValueKind.String ? item.Value.GetString()! : throw Invalid(name, $"__metadata__.{item.Name} is not a string");
                    continue;
                }
                entries.Add(Entry(name, property));
            }
            CheckTiling(name, entries, data.Length);
            var tensors = new List<(string, Tensor)>(entries.Count);
            foreach (var (tensorName, shape, begin, end) in entries)
            {
                var tensor = shape.Length == 1 ? Tensor.UninitializedVector(shape[0]) : Tensor.Uninitialized(shape[0], shape[1]);
                MemoryMarshal.Cast<byte, float>(data.Span[(int)begin..(int)end]).CopyTo(tensor.Span);
                tensors.Add((tensorName, tensor));
            }
            return (metadata, tensors);
        }
    }

    private static byte[] Header(IReadOnlyList<(string Name, Tensor Value)> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("__metadata__");
            foreach (var (key, value) in metadata) json.WriteString(key, value);
            json.WriteEndObject();
            long offset = 0;
            foreach (var (name, value) in tensors)
            {
                if (name == "__metadata__") throw new ArgumentException("A tensor cannot be named __metadata__.", nameof(tensors));
                long end = offset + (long)value.Length * sizeof(float);
                json.WriteStartObject(name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (int dimension in value.Shape) json.WriteNumberValue(dimension);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(end);
                json.WriteEndArray();
                json.WriteEndObject();
                offset = end;
            }
            json.WriteEndObject();
        }
        int padded = (int)((buffer.Length + 7) / 8 * 8);
        var header = new byte[padded];
        buffer.ToArray().CopyTo(header, 0);
        header.AsSpan((int)buffer.Length).Fill((byte)' ');
        return header;
    }

    private static (string, int[], long, long) Entry(string file, JsonProperty property)
    {
        string name = property.Name;
        var entry = property.Value;
        if (entry.ValueKind != JsonValueKind.Object) throw Invalid(file, $"tensor '{name}' is not described by an object");
        string? dtype = entry.TryGetProperty("dtype", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
        if (dtype != "F32") throw Invalid(file, $"tensor '{name}' has dtype {dtype ?? "(none)"}; only F32 is supported");
        if (!entry.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw Invalid(file, $"tensor '{name}' has no shape");
        var shape = shapeElement.EnumerateArray().Select(e => e.TryGetInt32(out int v) && v >= 0 ? v : throw Invalid(file, $"tensor '{name}' has a bad dimension {e}")).ToArray();
        if (shape.Length is < 1 or > 2) throw Invalid(file, $"tensor '{name}' has {shape.Length} dimensions; only 1 and 2 are supported");
        if (!entry.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw Invalid(file, $"tensor '{name}' has no [begin, end] data_offsets");
        long begin = offsets[0].TryGetInt64(out long b) ? b : -1, end = offsets[1].TryGetInt64(out long e2) ? e2 : -1;
        long expected = shape.Aggregate(1L, (p, x) => p * x) * sizeof(float);
        if (begin < 0 || end < begin || end - begin != expected)
            throw Invalid(file, $"tensor '{name}' of shape [{string.Join(", ", shape)}] needs {expected} bytes but its data_offsets are [{begin}, {end}]");
        return (name, shape, begin, end);
    }

    // The offsets must cover the data section exactly: no overlap, no hole, nothing missing at the end (the format's rule).
    private static void CheckTiling(string file, List<(string Name, int[] Shape, long Begin, long End)> entries, long dataLength)
    {
        long position = 0;
        foreach (var entry in entries.OrderBy(e => e.Begin))
        {
            if (entry.Begin != position)
                throw Invalid(file, $"tensor '{entry.Name}' starts at byte {entry.Begin} of the data, but the previous tensor ends at {position} (overlap or hole)");
            position = entry.End;
        }
        if (position != dataLength)
            throw Invalid(file, position > dataLength
                ? $"its header describes {position} bytes of data but the file holds {dataLength} (truncated)"
                : $"its header describes {position} bytes of data but the file holds {dataLength} (trailing bytes)");
    }

    private static void Emit(Stream stream, IncrementalHash hash, ReadOnlySpan<byte> bytes)
    {
        stream.Write(bytes);
        hash.AppendData(bytes);
    }

    private static InvalidDataException Invalid(string file, string what) => new($"{file} is not a valid safetensors file: {what}.");
}
