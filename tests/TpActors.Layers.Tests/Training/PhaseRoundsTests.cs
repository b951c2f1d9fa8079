namespace TpActors.Layers.Tests.Training;

// The supervisor's round book-keeping, as plain objects: no actor system, no timers.
public sealed class PhaseRoundsTests
{
    private static PhaseRound Round(long step, TrainingPhase phase, long attempt = 0) => new(attempt, step, phase);

    [Fact]
    public void ARound_CompletesWhenEveryRankAnswered_AndKeepsTheirResults()
    {
        var rounds = new PhaseRounds(3);
        var loss = Round(4, TrainingPhase.Loss);
        rounds.Begin(loss);

        Assert.Equal(PhaseRounds.Outcome.Counted, rounds.Done(1, loss, new LossComputed(0.5)));
        Assert.Equal([0, 2], rounds.Silent);
        Assert.Equal(PhaseRounds.Outcome.Counted, rounds.Done(0, loss, new LossComputed(0.5)));
        Assert.Equal(PhaseRounds.Outcome.Complete, rounds.Done(2, loss, new LossComputed(0.5)));
        Assert.False(rounds.Waiting);
        Assert.Equal([0.5, 0.5, 0.5], rounds.Results<LossComputed>().Select(l => l.Loss));
    }

    [Fact]
    public void AnAnswerToAnotherRound_OrASecondAnswer_IsStale_AndNeverCounted()
    {
        var rounds = new PhaseRounds(2);
        var old = Round(3, TrainingPhase.Forward);
        var current = Round(3, TrainingPhase.Forward, attempt: 1);
        rounds.Begin(current);

        Assert.Equal(PhaseRounds.Outcome.Stale, rounds.Done(0, old, PhaseCompleted.Instance));
        Assert.Equal(PhaseRounds.Outcome.Counted, rounds.Done(0, current, PhaseCompleted.Instance));
        Assert.Equal(PhaseRounds.Outcome.Stale, rounds.Done(0, current, PhaseCompleted.Instance));
        Assert.Equal(PhaseRounds.Outcome.Stale, rounds.Done(7, current, PhaseCompleted.Instance)); // no such rank
        Assert.Equal([1], rounds.Silent);
    }

    [Fact]
    public void AResultThatDoesNotAnswerThePhase_IsUnexpected()
    {
        var rounds = new PhaseRounds(1);
        var forward = Round(1, TrainingPhase.Forward);
        rounds.Begin(forward);
        Assert.Equal(PhaseRounds.Outcome.Unexpected, rounds.Done(0, forward, new LossComputed(1)));
        Assert.True(rounds.Waiting);
    }

    [Fact]
    public void ASilentRank_IsStuckInTheOldestRoundItHasNotAnswered_UntilReplaced()
    {
        var rounds = new PhaseRounds(2);
        var forward = Round(3, TrainingPhase.Forward);
        var connect = Round(3, TrainingPhase.Connect, attempt: 1);
        rounds.Begin(forward);
        rounds.Done(0, forward, PhaseCompleted.Instance);
        rounds.Quiesce(connect);
        Assert.False(rounds.Waiting);
        rounds.Begin(connect);

        Assert.Equal(forward, rounds.StuckIn(1)); // rank 1 never answered step 3's forward
        Assert.Equal(connect, rounds.StuckIn(0));
        rounds.Replaced(1);
        Assert.Equal(connect, rounds.StuckIn(1));
    }
}
