namespace TpActors.Layers.Tests.Collectives;

// In one process a rank lends its neighbour read-only views of its buffer instead of copies; these pin down the lending rules.
public sealed class LendingTests(RankGroups groups) : IClassFixture<RankGroups>
{
    private static readonly RoundId Round = new("g", 1, CollectiveOperation.AllReduce);

    [Fact]
    public unsafe void ARevokedView_CannotBeAcquired_AndItsLateReleaseTouchesNothing()
    {
        var ledger = new LendingLedger(new CollectiveInbox());
        var buffer = new float[8];
        fixed (float* at = buffer)
        {
            ledger.BeginPass(2);
            var early = CollectiveChunk.Lend(at, 4, ledger).Address(Round, 0, 0, 0, 4);
            var late = CollectiveChunk.Lend(at + 4, 4, ledger).Address(Round, 0, 1, 0, 4);
            Assert.True(early.TryAcquire());
            early.Return();

            ledger.RevokeOutstanding(); // the lender gives the pass up: `late` was never read

            Assert.False(late.TryAcquire());
            late.Return(); // dropped by the borrower afterwards
            ledger.BeginPass(1);
            var next = CollectiveChunk.Lend(at, 8, ledger).Address(Round, 1, 0, 0, 8);
            Assert.False(ledger.WaitAllReleased(Round, new CollectiveInbox().DeadlineAfter(TimeSpan.Zero)), "the old view's release must not settle the new one");
            Assert.True(next.TryAcquire());
            next.Return();
            Assert.True(ledger.WaitAllReleased(Round, new CollectiveInbox().DeadlineAfter(TimeSpan.Zero)));
        }
    }

    [Fact]
    public unsafe void AViewDroppedUnread_IsReleased()
    {
        var ledger = new LendingLedger(new CollectiveInbox());
        var buffer = new float[4];
        fixed (float* at = buffer)
        {
            ledger.BeginPass(1);
            CollectiveChunk.Lend(at, 4, ledger).Address(Round, 0, 0, 0, 4).Return(); // e.g. a stale round's message, dropped by the inbox
            Assert.True(ledger.WaitAllReleased(Round, new CollectiveInbox().DeadlineAfter(TimeSpan.Zero)));
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task ABufferChangedAsSoonAsTheCollectiveReturns_NeverReachesAPeer(int size)
    {
        // Each rank scribbles over its buffer the moment a collective returns. Had it returned while a neighbour still read a
        // view of that buffer, the neighbour's sums would pick up the scribbles.
        await using var group = await groups.Start(size, RankGroups.Settings(chunkFloats: 64));
        var results = await group.RunOnEachRank(context =>
        {
            var wrong = 0;
            for (int iteration = 0; iteration < 200; iteration++)
            {
                var buffer = new float[1000];
                Array.Fill(buffer, context.Rank + 1);
                context.Group.AllReduce(buffer);
                wrong += buffer.Count(v => v != size * (size + 1) / 2);
                Array.Fill(buffer, float.NaN);

                var local = Enumerable.Repeat((float)context.Rank, 333 + context.Rank).ToArray();
                var counts = Enumerable.Range(0, size).Select(r => 333 + r).ToArray();
                var gathered = new float[counts.Sum()];
                context.Group.AllGather(local, gathered, counts);
                Array.Fill(local, float.NaN);
                int offset = 0;
                for (int r = 0; r < size; r++)
                {
                    wrong += gathered.AsSpan(offset, counts[r]).ToArray().Count(v => v != r);
                    offset += counts[r];
                }
            }
            return wrong;
        });
        Assert.All(results, wrong => Assert.Equal(0, wrong));
    }
}
