using System.Numerics.Tensors;

namespace TpActors.Layers.Collectives;

/// <summary>
/// The ring's basic move, shared by reduce-scatter, all-gather and the barrier: n − 1 steps in which every rank sends one
/// segment to its right neighbour and receives one from its left. At step s rank r sends segment <c>first − s</c> and receives
/// segment <c>first − 1 − s</c> (mod n), where <c>first</c> is the segment it sends at step 0. A received chunk travels on
/// as the next step's message (ownership moves with it), so the ring copies each chunk only where it must.
/// </summary>
internal static class RingPass
{
    /// <summary>
    /// Reducing pass: each received partial sum gets this rank's elements of <paramref name="data"/> added
    /// (partial first, then own) and travels on; the segment finished at the last step goes to <paramref name="reduced"/>.
    /// Segment j is summed along the ring starting at rank j + 1, so every element is added in one fixed order, whatever the timing.
    /// </summary>
    public static void Reduce(Communicator comm, RoundId round, ReadOnlySpan<float> data, SegmentLayout layout, int first, int stepBase, Span<float> reduced) =>
        Run(comm, round, reduce: true, data, default, reduced, layout, first, stepBase);

    /// <summary>Copying pass: each received segment is stored in <paramref name="data"/> and the same chunk travels on.</summary>
    public static void Gather(Communicator comm, RoundId round, Span<float> data, SegmentLayout layout, int first, int stepBase) =>
        Run(comm, round, reduce: false, data, data, default, layout, first, stepBase);

    // The n − 1 steps; a received chunk is added to (reduce) or stored into (gather) this rank's segment, then forwarded.
    private static void Run(Communicator comm, RoundId round, bool reduce, ReadOnlySpan<float> own, Span<float> gatherInto, Span<float> reduced, SegmentLayout layout, int first, int stepBase)
    {
        int n = comm.Size;
        SendFirst(comm, round, own, layout, Mod(first, n), stepBase);
        for (int s = 0; s < n - 1; s++)
        {
            int segment = Mod(first - 1 - s, n);
            bool last = s == n - 2;
            for (int c = 0; c < layout.ChunksOf(segment); c++)
            {
                var (start, length) = layout.Chunk(segment, c);
                var chunk = comm.Receive(round, comm.Left, stepBase + s, c, length);
                if (reduce)
                {
                    Span<float> target = last ? reduced.Slice(start - layout.Offsets[segment], length) : chunk.Values;
                    TensorPrimitives.Add(chunk.Values, own.Slice(start, length), target);
                }
                else
                {
                    chunk.Values.CopyTo(gatherInto.Slice(start, length));
                }
                if (last) chunk.Return();
                else comm.Forward(chunk, stepBase + s + 1);
            }
        }
    }

    /// <summary>x mod n in [0, n).</summary>
    public static int Mod(int x, int n) => ((x % n) + n) % n;

    // Step 0: this rank's own segment, copied into fresh chunks (the only copy a segment needs to enter the ring).
    private static void SendFirst(Communicator comm, RoundId round, ReadOnlySpan<float> data, SegmentLayout layout, int segment, int step)
    {
        for (int c = 0; c < layout.ChunksOf(segment); c++)
        {
            var (start, length) = layout.Chunk(segment, c);
            var chunk = comm.NewChunk(round, step, c, length);
            data.Slice(start, length).CopyTo(chunk.Values);
            comm.Send(comm.Right, chunk);
        }
    }
}
