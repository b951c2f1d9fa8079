using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TpActors.Layers.Tensors;

/// <summary>
/// Copies floats to memory that will not be read again soon (a snapshot) with non-temporal stores where the CPU has them:
/// the destination's lines are written without first being read into the cache, and the cache keeps the working set.
/// </summary>
internal static class StreamingCopy
{
    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/> (same length).</summary>
    public static unsafe void Run(ReadOnlySpan<float> source, Span<float> destination)
    {
        if (source.Length != destination.Length) throw new ArgumentException($"Copying {source.Length} floats into {destination.Length}.");
        int i = 0;
        fixed (float* from = source, to = destination)
        {
            if (Avx.IsSupported && ((nuint)to & 31) == 0)
            {
                for (; i <= source.Length - 8; i += 8) Avx.StoreAlignedNonTemporal(to + i, Avx.LoadVector256(from + i));
                Sse.StoreFence(); // non-temporal stores are weakly ordered: make them visible before anyone reads the snapshot
            }
        }
        source[i..].CopyTo(destination[i..]);
    }
}
