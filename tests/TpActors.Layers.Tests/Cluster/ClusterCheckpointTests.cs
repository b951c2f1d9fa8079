using TpActors.Layers.Tests.Training;

namespace TpActors.Layers.Tests.Cluster;

// A checkpoint is the same file set wherever its ranks ran: one written by a cluster run resumes in one process, and one
// written in one process resumes on a cluster, at the same TP size or resharded, ending with the uninterrupted run's weights.
[Collection(nameof(InProcessClusters))]
public sealed class ClusterCheckpointTests
{
    [Theory]
    [InlineData(4, 4)]
    [InlineData(4, 3)]
    public async Task ACheckpointOfAClusterRun_ResumesInOneProcess(int tp, int resumeTp)
    {
        var uninterrupted = await TrainingRuns.Run(TrainingRuns.Options(resumeTp, 8));
        using var directory = new TempDirectory();
        await using (var cluster = await InProcessCluster.StartAsync(hosts: 2, slots: 2))
        await using (var lease = await cluster.LeaseAsync("checkpoint-test", tp))
            await TrainingRun.RunAsync(cluster.Driver, TrainingRuns.Options(tp, 4) with { Placement = lease.Ranks, CheckpointDirectory = directory.Path });
        Assert.Equal([4], CheckpointDirectory.CompleteSteps(directory.Path).Select(s => (int)s));

        var resumed = await TrainingRuns.Run(TrainingRuns.Options(resumeTp, 8) with { ResumeFrom = directory.Path });

        Assert.Equal(4, resumed.StartStep);
        if (tp == resumeTp) Assert.Equal(uninterrupted.WeightsSha256, resumed.WeightsSha256);
        else Assert.True(TrainingRuns.MaxDifference(uninterrupted.FinalState!, resumed.FinalState!) < 1e-4f); // another TP size sums in another order
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(3, 2)]
    public async Task ACheckpointOfOneProcess_ResumesOnACluster(int tp, int resumeTp)
    {
        var uninterrupted = await TrainingRuns.Run(TrainingRuns.Options(resumeTp, 8));
        using var directory = new TempDirectory();
        await TrainingRuns.Run(TrainingRuns.Options(tp, 4) with { CheckpointDirectory = directory.Path });

        await using var cluster = await InProcessCluster.StartAsync(hosts: 2, slots: 1);
        await using var lease = await cluster.LeaseAsync("resume-test", resumeTp);
        var resumed = await TrainingRun.RunAsync(cluster.Driver, TrainingRuns.Options(resumeTp, 8) with { Placement = lease.Ranks, ResumeFrom = directory.Path });

        Assert.Equal(4, resumed.StartStep);
        if (tp == resumeTp) Assert.Equal(uninterrupted.WeightsSha256, resumed.WeightsSha256);
        else Assert.True(TrainingRuns.MaxDifference(uninterrupted.FinalState!, resumed.FinalState!) < 1e-4f);
    }
}
