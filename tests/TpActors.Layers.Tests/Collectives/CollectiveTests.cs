namespace TpActors.Layers.Tests.Collectives;

// Each collective against a plain sum or concatenation. Values are small integers, so float sums are exact in any order
// and the results can be compared bit for bit.
public sealed class CollectiveTests(RankGroups groups) : IClassFixture<RankGroups>
{
    public static TheoryData<int> GroupSizes => [1, 2, 3, 4, 5, 7, 8];

    // Lengths around the group size (fewer elements than ranks too) and several 16-float chunks per segment.
    private static int[] Lengths(int ranks) => [0, 1, ranks - 1, ranks, ranks + 1, 50, 16 * ranks * 3 + 7];

    private static float Value(int rank, int index) => (rank * 31 + index * 7) % 19 - 9;

    [Theory]
    [MemberData(nameof(GroupSizes))]
    public async Task AllReduce_EqualsThePlainSum_OnEveryRank(int ranks)
    {
        await using var group = await groups.Start(ranks);
        foreach (int length in Lengths(ranks).Where(l => l >= 0))
        {
            var results = await group.RunOnEachRank(context =>
            {
                var buffer = Enumerable.Range(0, length).Select(i => Value(context.Rank, i)).ToArray();
                context.Group.AllReduce(buffer);
                return buffer;
            });
            var expected = Enumerable.Range(0, length).Select(i => Enumerable.Range(0, ranks).Sum(r => Value(r, i))).ToArray();
            for (int r = 0; r < ranks; r++) Assert.True(expected.SequenceEqual(results[r]), $"rank {r} of {ranks}, {length} elements: all-reduce is the element-wise sum");
        }
    }

    [Theory]
    [MemberData(nameof(GroupSizes))]
    public async Task ReduceScatter_GivesEachRankItsSegmentOfTheSum_EvenWithUnevenAndEmptySegments(int ranks)
    {
        await using var group = await groups.Start(ranks);
        foreach (int length in Lengths(ranks))
        {
            int[] counts = Partition.Sizes(length, ranks);
            var results = await group.RunOnEachRank(context =>
            {
                var input = Enumerable.Range(0, length).Select(i => Value(context.Rank, i)).ToArray();
                var before = input.ToArray();
                var output = new float[counts[context.Rank]];
                context.Group.ReduceScatter(input, output, counts);
                Assert.Equal(before, input); // the input is read, not written
                return output;
            });
            for (int r = 0; r < ranks; r++)
            {
                int start = Partition.Start(length, ranks, r);
                var expected = Enumerable.Range(start, counts[r]).Select(i => Enumerable.Range(0, ranks).Sum(q => Value(q, i))).ToArray();
                Assert.True(expected.SequenceEqual(results[r]), $"rank {r} of {ranks}, {length} elements: its segment of the sum");
            }
        }
    }

    [Theory]
    [MemberData(nameof(GroupSizes))]
    public async Task AllGather_ConcatenatesInRankOrder_WithUnevenParts(int ranks)
    {
        await using var group = await groups.Start(ranks);
        foreach (int perRank in new[] { 0, 1, 5, 40 })
        {
            int[] counts = Enumerable.Range(0, ranks).Select(r => perRank + r % 2).ToArray(); // uneven: odd ranks give one more
            var results = await group.RunOnEachRank(context =>
            {
                var local = Enumerable.Range(0, counts[context.Rank]).Select(i => Value(context.Rank, i)).ToArray();
                var output = new float[counts.Sum()];
                context.Group.AllGather(local, output, counts);
                return output;
            });
            var expected = Enumerable.Range(0, ranks).SelectMany(r => Enumerable.Range(0, counts[r]).Select(i => Value(r, i))).ToArray();
            for (int r = 0; r < ranks; r++) Assert.True(expected.SequenceEqual(results[r]), $"rank {r} of {ranks}: the concatenation of every rank's part");
        }
    }

    [Theory]
    [MemberData(nameof(GroupSizes))]
    public async Task Broadcast_FromEveryRoot_CopiesTheRootsBuffer(int ranks)
    {
        await using var group = await groups.Start(ranks);
        for (int root = 0; root < ranks; root++)
        {
            int theRoot = root;
            var results = await group.RunOnEachRank(context =>
            {
                var buffer = Enumerable.Range(0, 70).Select(i => Value(context.Rank, i)).ToArray();
                context.Group.Broadcast(buffer, theRoot);
                return buffer;
            });
            var expected = Enumerable.Range(0, 70).Select(i => Value(root, i)).ToArray();
            for (int r = 0; r < ranks; r++) Assert.True(expected.SequenceEqual(results[r]), $"rank {r} of {ranks} holds root {root}'s buffer");
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    public async Task Barrier_LetsNoRankThroughUntilTheLastHasEntered(int ranks)
    {
        await using var group = await groups.Start(ranks);
        int entered = 0, passed = 0;
        using var othersEntered = new CountdownEvent(ranks - 1);
        using var releaseLast = new ManualResetEventSlim();
        var run = group.RunOnEachRank(context =>
        {
            if (context.Rank == ranks - 1) releaseLast.Wait();
            Interlocked.Increment(ref entered);
            if (context.Rank != ranks - 1) othersEntered.Signal();
            context.Group.Barrier();
            Interlocked.Increment(ref passed);
            return Volatile.Read(ref entered);
        });
        othersEntered.Wait();
        Assert.Equal(0, Volatile.Read(ref passed)); // everyone but the last is inside the barrier, and none got through
        releaseLast.Set();
        var seen = await run;
        Assert.All(seen, e => Assert.Equal(ranks, e)); // on leaving, every rank saw all ranks entered
    }

    [Fact]
    public async Task ManyRoundsInARow_NeverMix_ThoughFastRanksRunAhead()
    {
        await using var group = await groups.Start(4);
        var results = await group.RunOnEachRank(context =>
        {
            var sums = new List<float>();
            for (int round = 0; round < 200; round++)
            {
                var buffer = new float[round % 9];
                Array.Fill(buffer, context.Rank + round);
                context.Group.AllReduce(buffer);
                sums.AddRange(buffer);
            }
            return sums.ToArray();
        });
        var expected = Enumerable.Range(0, 200).SelectMany(round => Enumerable.Repeat((float)(6 + 4 * round), round % 9)).ToArray();
        Assert.All(results, r => Assert.Equal(expected, r));
    }
}
