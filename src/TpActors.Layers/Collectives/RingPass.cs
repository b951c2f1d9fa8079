using System.Numerics.Tensors;

namespace TpActors.Layers.Collectives;

/// <summary>
/// The ring's basic move, shared by reduce-scatter, all-gather, all-reduce and the barrier: n − 1 steps in which every rank
/// sends one segment to its right neighbour and receives one from its left. At step s rank r sends segment <c>first − s</c>
/// and receives segment <c>first − 1 − s</c> (mod n), where <c>first</c> is the segment it sends at step 0.
/// <para>A rank sends what it holds as a read-only view (<see cref="CollectiveChunk.Lend(float*, int, LendingLedger)"/>), not a copy: its left
/// neighbour's view is read straight out of that neighbour's buffer, so a reduce reads each input once and a gather copies
/// each byte once. A pass ends when the right neighbour has released every view it was lent, so the caller may change its
/// buffer as soon as the collective returns; a pass that fails revokes the views not yet read.</para>
/// </summary>
internal static unsafe class RingPass
{
    private enum Pass { Reduce, ReduceInPlace, Gather }

    /// <summary>
    /// Reducing pass over a read-only input: each received partial sum gets this rank's elements of <paramref name="data"/>
    /// added (partial first, then own) and travels on; the segment finished at the last step goes to <paramref name="reduced"/>.
    /// Segment j is summed along the ring starting at rank j + 1, so every element is added in one fixed order, whatever the timing.
    /// </summary>
    public static void Reduce(Communicator comm, RoundId round, ReadOnlySpan<float> data, SegmentLayout layout, int first, int stepBase, Span<float> reduced) =>
        Run(comm, round, Pass.Reduce, data, reduced, layout, first, stepBase);

    /// <summary>As <see cref="Reduce"/>, forming each partial sum in <paramref name="buffer"/> itself (all-reduce, whose buffer the gather overwrites anyway).</summary>
    public static void ReduceInPlace(Communicator comm, RoundId round, Span<float> buffer, SegmentLayout layout, int first, int stepBase, Span<float> reduced) =>
        Run(comm, round, Pass.ReduceInPlace, buffer, reduced, layout, first, stepBase);

    /// <summary>Copying pass: each received segment is stored in <paramref name="data"/> and travels on from there.</summary>
    public static void Gather(Communicator comm, RoundId round, Span<float> data, SegmentLayout layout, int first, int stepBase) =>
        Run(comm, round, Pass.Gather, data, default, layout, first, stepBase);

    /// <summary>
    /// All-gather's pass: this rank's segment is lent straight from <paramref name="local"/> and copied into
    /// <paramref name="output"/> while the neighbour reads it; every received segment is stored in <paramref name="output"/>.
    /// </summary>
    public static void Gather(Communicator comm, RoundId round, ReadOnlySpan<float> local, Span<float> output, SegmentLayout layout)
    {
        fixed (float* source = local)
            Run(comm, round, Pass.Gather, output, default, layout, comm.Rank, 0, source);
    }

    // The n − 1 steps. Writes go into `own` only in the in-place and gather passes, whose callers gave a writable buffer.
    // `firstSource`, when given, holds the first segment (pinned by the caller), which is lent from there and then copied into `own`.
    private static void Run(Communicator comm, RoundId round, Pass pass, ReadOnlySpan<float> own, Span<float> reduced, SegmentLayout layout, int first, int stepBase,
        float* firstSource = null)
    {
        int n = comm.Size;
        comm.Ledger.BeginPass(layout.TotalChunks);
        fixed (float* data = own)
        {
            try
            {
                int firstSegment = Mod(first, n);
                if (firstSource is null) LendSegment(comm, round, data, layout, firstSegment, stepBase);
                else
                {
                    int offset = layout.Offsets[firstSegment];
                    LendSegment(comm, round, firstSource - offset, layout, firstSegment, stepBase);
                    new ReadOnlySpan<float>(firstSource, layout.Counts[firstSegment]).CopyTo(new Span<float>(data + offset, layout.Counts[firstSegment]));
                }
                for (int s = 0; s < n - 1; s++)
                {
                    int segment = Mod(first - 1 - s, n);
                    bool last = s == n - 2;
                    int next = stepBase + s + 1;
                    for (int c = 0; c < layout.ChunksOf(segment); c++)
                    {
                        var (start, length) = layout.Chunk(segment, c);
                        var chunk = comm.Receive(round, comm.Left, stepBase + s, c, length);
                        var mine = new Span<float>(data + start, length); // written only by the in-place and gather passes
                        if (pass == Pass.Gather)
                        {
                            chunk.Values.CopyTo(mine);
                            if (last) chunk.Return();
                            else comm.PassOn(chunk, next, data + start);
                        }
                        else if (last)
                        {
                            TensorPrimitives.Add(chunk.Values, mine, reduced.Slice(start - layout.Offsets[segment], length));
                            chunk.Return();
                        }
                        else if (!chunk.IsView)
                        {
                            TensorPrimitives.Add(chunk.Values, mine, chunk.Writable);
                            comm.Forward(chunk, next);
                        }
                        else if (pass == Pass.ReduceInPlace)
                        {
                            TensorPrimitives.Add(chunk.Values, mine, mine);
                            chunk.Return();
                            comm.Lend(round, next, c, data + start, length);
                        }
                        else
                        {
                            var sum = comm.NewChunk(round, next, c, length);
                            TensorPrimitives.Add(chunk.Values, mine, sum.Writable);
                            chunk.Return();
                            comm.Send(comm.Right, sum);
                        }
                    }
                }
                comm.AwaitReleases(round); // the right neighbour has read every view: the memory is the caller's again
            }
            catch
            {
                comm.Ledger.RevokeOutstanding();
                throw;
            }
        }
    }

    /// <summary>x mod n in [0, n).</summary>
    public static int Mod(int x, int n) => ((x % n) + n) % n;

    // Step 0: this rank's own segment, lent chunk by chunk.
    private static void LendSegment(Communicator comm, RoundId round, float* data, SegmentLayout layout, int segment, int step)
    {
        for (int c = 0; c < layout.ChunksOf(segment); c++)
        {
            var (start, length) = layout.Chunk(segment, c);
            comm.Lend(round, step, c, data + start, length);
        }
    }
}
