using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using TpActors.Layers.Tensors;

namespace TpActors.Layers.Training;

/// <summary>
/// SHA-256 of full (gathered) weights, in model order: for each tensor its UTF-8 name, a zero byte, its dimensions as 32-bit
/// little-endian integers, then its float32 little-endian data. Equal digests mean bit-identical weights.
/// </summary>
public static class WeightsDigest
{
    /// <summary>The digest of <paramref name="weights"/>, lower-case hex.</summary>
    public static string Of(IEnumerable<(string Name, Tensor Value)> weights)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> dimension = stackalloc byte[4];
        foreach (var (name, value) in weights)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(name));
            hash.AppendData([0]);
            foreach (int d in value.Shape)
            {
                BinaryPrimitives.WriteInt32LittleEndian(dimension, d);
                hash.AppendData(dimension);
            }
            for (int row = 0; row < value.Rows; row++) hash.AppendData(MemoryMarshal.AsBytes(value.Row(row)));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
