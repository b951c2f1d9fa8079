using TpActors.Layers.Tests.Simulation;

namespace TpActors.Layers.Tests.Collectives;

// Rounds that cannot complete: every timeout here is in the simulation's virtual time.
public sealed class RoundTimeoutTests : TensorParallelTestKit
{
    [Theory]
    [InlineData(3, 2)]
    [InlineData(4, 1)]
    [InlineData(2, 0)]
    public async Task ARankThatNeverAnswers_IsNamed_ByEveryRankThatWaited(int size, int silent)
    {
        await using var group = await StartGroup(size, RankGroups.Settings(timeout: TimeSpan.FromMilliseconds(400)));
        var waiting = Enumerable.Range(0, size).Where(r => r != silent).Select(r => group.Ranks[r].Ask<float[]>(new RunOnRank(group.Name, context =>
        {
            var buffer = new float[64];
            context.Group.AllReduce(buffer);
            return buffer;
        }))).ToList();

        foreach (var task in waiting)
        {
            var error = await Assert.ThrowsAsync<CollectiveTimeoutException>(() => AdvanceUntil(task));
            Assert.Equal([silent], error.MissingRanks);
            Assert.Contains($"rank {silent} did not answer", error.Message);
            Assert.Contains("all-reduce round 1", error.Message);
        }
    }

    [Fact]
    public async Task AfterATimedOutRound_TheGroupRunsTheNextOneNormally()
    {
        await using var group = await StartGroup(2, RankGroups.Settings(timeout: TimeSpan.FromMilliseconds(300)));
        // Only rank 0 takes part in round 1; rank 1 then skips ahead to round 2 so both agree on the numbering again.
        await Assert.ThrowsAsync<CollectiveTimeoutException>(() => AdvanceUntil(group.Ranks[0].Ask<RankDone>(new RunOnRank(group.Name, c => { c.Group.AllReduce(new float[8]); return null; }))));
        var results = await group.RunOnEachRank(context =>
        {
            if (context.Rank == 1) context.Group.BeginRound(CollectiveOperation.AllReduce); // the round rank 1 missed
            var buffer = new float[] { context.Rank + 1 };
            context.Group.AllReduce(buffer);
            return buffer[0];
        });
        Assert.Equal([3f, 3f], results);
    }

    [Fact]
    public async Task RanksCallingDifferentCollectives_FailWithAMismatch()
    {
        await using var group = await StartGroup(2, RankGroups.Settings(timeout: TimeSpan.FromMilliseconds(500)));
        var reduce = group.Ranks[0].Ask<RankDone>(new RunOnRank(group.Name, c => { c.Group.AllReduce(new float[4]); return null; }));
        var gather = group.Ranks[1].Ask<RankDone>(new RunOnRank(group.Name, c => { c.Group.AllGather(new float[2], new float[4], [2, 2]); return null; }));
        var errors = new[] { await AdvanceUntil(Record(reduce)), await AdvanceUntil(Record(gather)) };
        Assert.Contains(errors, e => e is CollectiveMismatchException m && m.Message.Contains("same collectives in the same order"));
    }

    [Fact]
    public async Task MismatchedLengths_AreCaught_NotSummedOutOfLine()
    {
        await using var group = await StartGroup(2, RankGroups.Settings(timeout: TimeSpan.FromMilliseconds(500)));
        var errors = await AdvanceUntil(Task.WhenAll(group.Ranks.Select((rank, r) => Record(rank.Ask<RankDone>(new RunOnRank(group.Name, c => { c.Group.AllReduce(new float[10 + r]); return null; }))))));
        Assert.Contains(errors, e => e is CollectiveMismatchException m && m.Message.Contains("floats"));
    }

    private static async Task<Exception?> Record(Task task)
    {
        try { await task; return null; }
        catch (Exception e) { return e; }
    }
}
