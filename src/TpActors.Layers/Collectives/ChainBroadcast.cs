namespace TpActors.Layers.Collectives;

/// <summary>
/// Broadcast along the ring as a pipelined chain: the root sends its buffer in chunks to root + 1; every other rank stores
/// each chunk and forwards it to its right neighbour, except the last rank of the chain (root − 1). A rank can forward
/// chunk c while chunk c + 1 is still on its way, so a large buffer takes about one buffer's time plus n − 1 chunk hops.
/// The round completes at a rank when its last chunk has arrived; on timeout see <see cref="Communicator"/>.
/// </summary>
internal static unsafe class ChainBroadcast
{
    public static void Run(Communicator comm, Span<float> buffer, int root)
    {
        if ((uint)root >= (uint)comm.Size) throw new ArgumentOutOfRangeException(nameof(root), $"Broadcast root {root} is not in group '{comm.Group}' of {comm.Size} ranks.");
        var round = comm.BeginRound(CollectiveOperation.Broadcast);
        if (comm.Size > 1)
        {
            var layout = SegmentLayout.Of([buffer.Length], comm.ChunkElements);
            bool lastInChain = comm.Right == root;
            comm.Ledger.BeginPass(layout.TotalChunks);
            fixed (float* data = buffer)
            {
                try
                {
                    for (int c = 0; c < layout.ChunksOf(0); c++)
                    {
                        var (start, length) = layout.Chunk(0, c);
                        if (comm.Rank == root)
                        {
                            comm.Lend(round, 0, c, data + start, length);
                            continue;
                        }
                        var received = comm.Receive(round, comm.Left, 0, c, length);
                        received.Values.CopyTo(buffer.Slice(start, length));
                        if (lastInChain) received.Return();
                        else comm.PassOn(received, 0, data + start);
                    }
                    comm.AwaitReleases(round);
                }
                catch
                {
                    comm.Ledger.RevokeOutstanding();
                    throw;
                }
            }
        }
        comm.EndRound(round);
    }
}
