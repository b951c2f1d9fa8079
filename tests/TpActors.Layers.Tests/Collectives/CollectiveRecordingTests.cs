using TpActors.Layers.Collectives;
using TpActors.Layers.Sharding;
using TpActors.Layers.Tensors;

namespace TpActors.Layers.Tests.Collectives;

// What a rank records of its collectives (for traces and the dashboard), and what its backend counts of its GEMMs.
public sealed class CollectiveRecordingTests(RankGroups groups) : IClassFixture<RankGroups>
{
    [Fact]
    public async Task EveryCollective_IsRecorded_WithItsOperationLinkRanksAndBytes_InOrder()
    {
        await using var group = await groups.Start(3);
        var recorded = await group.RunOnEachRank(context =>
        {
            var g = context.Group;
            long origin = System.Diagnostics.Stopwatch.GetTimestamp();
            g.Recorder.Clear();
            int[] counts = Partition.Sizes(10, 3);
            var whole = new float[10];
            var part = new float[counts[context.Rank]];
            g.AllReduce(whole);
            g.AllGather(part, whole, counts);
            g.ReduceScatter(whole, part, counts);
            g.Broadcast(whole, root: 2);
            g.Barrier();
            return g.Recorder.Take(origin);
        });
        foreach (var (spans, dropped) in recorded)
        {
            Assert.Equal(0, dropped);
            Assert.Equal([CollectiveOperation.AllReduce, CollectiveOperation.AllGather, CollectiveOperation.ReduceScatter, CollectiveOperation.Broadcast, CollectiveOperation.Barrier],
                spans.Select(s => s.Operation));
            Assert.Equal([40L, 40, 40, 40, 0], spans.Select(s => s.Bytes)); // nccl-tests' sizes: the whole buffer, the gathered output, the scattered input
            Assert.All(spans, s => Assert.Equal((CollectiveLinkKind.InProcess, 3), (s.Link, s.Ranks)));
            for (int i = 0; i < spans.Length; i++)
            {
                Assert.True(spans[i].StartTicks >= 0 && spans[i].ElapsedTicks >= 0);
                if (i > 0) Assert.True(spans[i].StartTicks >= spans[i - 1].StartTicks + spans[i - 1].ElapsedTicks, "one after the other, as run");
            }
        }
    }

    [Fact]
    public void ARecorder_KeepsItsCapacity_CountsTheRest_AndEmptiesOnTake()
    {
        var recorder = new CollectiveRecorder(2);
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        for (int i = 0; i < 5; i++) recorder.Record(CollectiveOperation.AllReduce, CollectiveLinkKind.Tcp, 2, 100 + i, start);
        var (spans, dropped) = recorder.Take(start);
        Assert.Equal([100L, 101], spans.Select(s => s.Bytes));
        Assert.Equal(3, dropped);
        Assert.Equal((0, 0), (recorder.Take(start).Spans.Length, recorder.Dropped));

        var none = new CollectiveRecorder(0);
        none.Record(CollectiveOperation.Barrier, CollectiveLinkKind.InProcess, 1, 0, start);
        var (nothing, counted) = none.Take(start);
        Assert.Equal((0, 1), (nothing.Length, counted));
    }

    [Theory]
    [InlineData(CollectiveOperation.AllReduce, 4, 1.5)]
    [InlineData(CollectiveOperation.AllGather, 4, 0.75)]
    [InlineData(CollectiveOperation.ReduceScatter, 2, 0.5)]
    [InlineData(CollectiveOperation.Broadcast, 8, 1.0)]
    [InlineData(CollectiveOperation.Barrier, 8, 0.0)]
    public void BusBandwidth_IsTheNcclTestsFactorTimesTheAlgorithmBandwidth(CollectiveOperation operation, int ranks, double factor)
    {
        var span = new CollectiveSpan(operation, CollectiveLinkKind.InProcess, ranks, 2_000_000, 0, TimeSpan.TicksPerSecond / 1000); // 2 MB in 1 ms
        Assert.Equal(2e9, span.AlgorithmBandwidth, 6);
        Assert.Equal(2e9 * factor, span.BusBandwidth, 6);
    }

    [Fact]
    public void TheBackend_CountsTwoMnkFlopsPerProduct_InGemmAndBatchedGemm()
    {
        var backend = CpuBackend.Create(BackendKind.Managed, 1);
        using var a = Tensor.Zeros(3, 5);
        using var b = Tensor.Zeros(5, 7);
        using var c = Tensor.Zeros(3, 7);
        backend.Gemm(a, false, b, false, c);
        Assert.Equal(2L * 3 * 7 * 5, backend.Gemms.Flops);
        using var ct = Tensor.Zeros(7, 3);
        backend.Gemm(b, true, a, true, ct);
        Assert.Equal(2 * 2L * 3 * 7 * 5, backend.Gemms.Flops);
        Assert.True(backend.Gemms.Ticks >= 0);
    }
}
