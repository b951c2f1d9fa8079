namespace TpActors.Layers.Tests.Training;

// The supervisor's snapshot book-keeping, as plain objects: no actor system, no ranks.
public sealed class SnapshotBookTests
{
    private static readonly Address HostA = new("akka.tcp", "tpactors", "127.0.0.1", 4001);
    private static readonly Address HostB = new("akka.tcp", "tpactors", "127.0.0.1", 4002);
    private static readonly Address HostC = new("akka.tcp", "tpactors", "127.0.0.1", 4003);

    private static ShardState State(long step) => new(step, [new ShardTensor("w", ShardAxis.Replicated, Tensor.ZerosVector(4))]);

    private static bool Disposed(ShardState state) => Record.Exception(() => state.Tensors[0].Value.Span.Length) is ObjectDisposedException;

    private static PhaseRound Round(long step, TrainingPhase phase) => new(0, step, phase);

    private static RestoreSource Held(ShardState state) => new RestoreState(state);

    private static bool NoHostLost(Address _) => false;

    [Fact]
    public void ASnapshotHandedOver_BecomesTheCommittedOne_AndTheOneBefore_TheSpareLentForTheNext()
    {
        using var book = new SnapshotBook(2);
        ShardState[] first = [State(2), State(2)], second = [State(4), State(4)];
        Assert.Null(book.TakeSpare(0)); // nothing to lend before the first snapshot

        book.Taken(2, r => new StateHandedOver(first[r]), _ => []);
        Assert.Equal(2, book.Step);
        Assert.Null(book.TakeSpare(0));
        book.Taken(4, r => new StateHandedOver(second[r]), _ => []);

        Assert.Equal(4, book.Step);
        Assert.Equal(4, book.KeptStep);
        Assert.Same(first[1], book.TakeSpare(1));
        Assert.Null(book.TakeSpare(1)); // lent: it is the rank's now
        Assert.False(Disposed(second[0]));
    }

    [Fact]
    public void ALateBuffer_BecomesTheSpare_OnlyWhenThereIsNone_AndTheCommittedSnapshotIsNeverReclaimed()
    {
        using var book = new SnapshotBook(1);
        var committed = State(2);
        book.Taken(2, _ => new StateHandedOver(committed), _ => []);
        book.Reclaim(0, committed);
        Assert.Null(book.TakeSpare(0));
        Assert.False(Disposed(committed));

        ShardState late = State(3), later = State(3);
        book.Reclaim(0, late);
        book.Reclaim(0, later);

        Assert.True(Disposed(later));
        Assert.Same(late, book.TakeSpare(0));
    }

    [Fact]
    public void AResumedRun_RestoresEveryRank_FromTheStateItWasGiven_OnceOnly()
    {
        using var book = new SnapshotBook(2);
        ShardState[] initial = [State(6), State(6)];
        book.Resume(initial);

        Assert.Equal(6, book.Step);
        Assert.Equal(new RestoreState(initial[1]), book.SourceFor(1, 6, null, Held, NoHostLost));
        book.Joined(null);
        Assert.Null(book.SourceFor(1, 6, null, Held, NoHostLost)); // it has its state now
    }

    [Fact]
    public void AResumeOfTheWrongTpSize_IsRefusedNamingBoth()
    {
        using var book = new SnapshotBook(3);
        var error = Assert.Throws<ArgumentException>(() => book.Resume([State(1), State(1)]));
        Assert.Contains("2 ranks; the run has 3", error.Message);
    }

    [Theory]
    [InlineData(TrainingPhase.Forward, 5)]
    [InlineData(TrainingPhase.Backward, 5)]
    [InlineData(TrainingPhase.Snapshot, 4)] // the snapshot of the committed step itself: nothing moved
    public void AFailureBeforeAnyStateChanged_RestoresOnlyTheFailedRank_AndRunsTheActionAgain(TrainingPhase phase, long step)
    {
        using var book = new SnapshotBook(3);
        book.Taken(4, r => new StateHandedOver(State(4)), _ => []);

        Assert.Equal(SnapshotBook.Plan.RunAgain, book.PlanRecovery([1], Round(step, phase), committedStep: 4, seedCurrent: false));

        Assert.Null(book.SourceFor(0, 4, null, Held, NoHostLost));
        Assert.IsType<RestoreState>(book.SourceFor(1, 4, null, Held, NoHostLost));
        Assert.Null(book.SourceFor(2, 4, null, Held, NoHostLost));
    }

    [Fact]
    public void AFailureAfterTheUpdate_SendsEveryRankBackToTheSnapshot_ToReplayTheStepsSince()
    {
        using var book = new SnapshotBook(2);
        book.Taken(4, r => new StateHandedOver(State(4)), _ => []);

        Assert.Equal(SnapshotBook.Plan.Replay, book.PlanRecovery([0], Round(7, TrainingPhase.Optimizer), committedStep: 6, seedCurrent: false));

        Assert.All([0, 1], r => Assert.IsType<RestoreState>(book.SourceFor(r, 4, null, Held, NoHostLost)));
    }

    [Fact]
    public void AFailureWithNoSnapshot_IsUnrestorable_UnlessTheSeedStillGivesTheCommittedState()
    {
        using var book = new SnapshotBook(2);

        Assert.Equal(SnapshotBook.Plan.RunAgain, book.PlanRecovery([1], Round(1, TrainingPhase.Forward), committedStep: 0, seedCurrent: true));
        Assert.Null(book.SourceFor(1, 0, null, Held, NoHostLost)); // rebuilt from the seed, nothing to restore
        Assert.Equal(SnapshotBook.Plan.Unrestorable, book.PlanRecovery([1], Round(3, TrainingPhase.Forward), committedStep: 2, seedCurrent: false));
        Assert.Equal(SnapshotBook.Plan.Unrestorable, book.PlanRecovery([1], Round(3, TrainingPhase.Optimizer), committedStep: 2, seedCurrent: false));
        Assert.Equal(SnapshotBook.Plan.Unrestorable, book.PlanRecovery([1], Round(2, TrainingPhase.Join), committedStep: 2, seedCurrent: false));
    }

    [Fact]
    public void AFailureWhileTheGroupReforms_AddsTheRankToThePlan_WhichStands()
    {
        using var book = new SnapshotBook(3);
        book.Taken(4, r => new StateHandedOver(State(4)), _ => []);
        Assert.Equal(SnapshotBook.Plan.Replay, book.PlanRecovery([0], Round(5, TrainingPhase.Optimizer), committedStep: 5, seedCurrent: false));

        Assert.Equal(SnapshotBook.Plan.Stands, book.PlanRecovery([2], Round(4, TrainingPhase.Connect), committedStep: 4, seedCurrent: false));

        Assert.All([0, 1, 2], r => Assert.NotNull(book.SourceFor(r, 4, null, Held, NoHostLost)));
    }

    [Fact]
    public void SnapshotsKeptOnHosts_AreRestorable_OnlyFromTheLastStepEveryBuddyConfirmed()
    {
        using var book = new SnapshotBook(2);
        book.Taken(4, r => new SnapshotKept(4, Replicated: r == 0 ? 4 : 2), r => r == 0 ? [HostA, HostB] : [HostB, HostA]);

        Assert.Equal(2, book.Step); // rank 1's copy of step 4 is not confirmed yet
        Assert.Equal(4, book.KeptStep);
        book.Taken(6, r => new SnapshotKept(6, Replicated: -1), _ => throw new InvalidOperationException("no copy was confirmed"));
        Assert.Equal(2, book.Step);
        Assert.Equal(6, book.KeptStep);
    }

    [Fact]
    public void ARankOfALostHost_RestoresFromItsBuddysHost_AndKeepsItOnItsNewHostAfterwards()
    {
        using var book = new SnapshotBook(2);
        book.Taken(4, r => new SnapshotKept(4, 4), r => r == 0 ? [HostA, HostB] : [HostB, HostA]);
        Assert.Equal(SnapshotBook.Plan.RunAgain, book.PlanRecovery([0], Round(5, TrainingPhase.Forward), committedStep: 4, seedCurrent: false));
        bool Lost(Address node) => node == HostA;

        // Rank 0 now runs on host C; its copy is on B.
        Assert.Equal(new KeptSnapshot(4, HostB), book.SourceFor(0, 4, HostC, Held, Lost));
        Assert.Empty(book.Unrestorable(Lost));
        book.Joined(r => r == 0 ? HostC : HostB);

        // Later host B is lost too: C has rank 0's snapshot.
        Assert.Equal(SnapshotBook.Plan.RunAgain, book.PlanRecovery([0], Round(5, TrainingPhase.Forward), committedStep: 4, seedCurrent: false));
        Assert.Equal(new KeptSnapshot(4), book.SourceFor(0, 4, HostC, Held, n => n == HostA || n == HostB));
    }

    [Fact]
    public void ARankLostWithItsBuddy_IsUnrestorable_AndSoIsOneWhoseCopyWasOnAProcessSinceReplaced()
    {
        using var book = new SnapshotBook(2);
        book.Taken(4, r => new SnapshotKept(4, 4), r => r == 0 ? [HostA, HostB] : [HostB, HostC]);
        book.PlanRecovery([0, 1], Round(5, TrainingPhase.Forward), committedStep: 4, seedCurrent: false);

        Assert.Equal([0], book.Unrestorable(n => n == HostA || n == HostB));

        // A new process at B's address: B is live again, but rank 0's copy was lost with the old one.
        book.HostReplaced(HostB);
        Assert.Equal([0], book.Unrestorable(n => n == HostA));
        Assert.Equal(new KeptSnapshot(4, HostC), book.SourceFor(1, 4, HostA, Held, n => n == HostA));
    }

    [Fact]
    public void ACheckpointLoaded_ReplacesEverySnapshot_AndEveryRankRestoresIt()
    {
        using var book = new SnapshotBook(2);
        var old = State(4);
        book.Taken(4, r => new StateHandedOver(r == 0 ? old : State(4)), _ => []);

        book.Load(3, r => State(3));

        Assert.True(Disposed(old));
        Assert.Equal(3, book.Step);
        Assert.All([0, 1], r => Assert.Equal(3, Assert.IsType<RestoreState>(book.SourceFor(r, 3, HostA, Held, NoHostLost)).State.Step));
    }

    [Fact]
    public void ARankMovedOffALeavingHost_RestoresWhatThatHostHandsOver_AtTheCommittedStep()
    {
        using var book = new SnapshotBook(2);
        book.Taken(4, r => new SnapshotKept(4, 4), r => [HostA, HostB]);

        book.MoveFrom(1, HostB);

        Assert.Equal(new KeptSnapshot(6, HostB), book.SourceFor(1, 6, HostC, Held, NoHostLost));
        Assert.Null(book.SourceFor(0, 6, HostA, Held, NoHostLost));
        book.Joined(r => r == 0 ? HostA : HostC);
        Assert.Null(book.SourceFor(1, 6, HostC, Held, NoHostLost));
    }

    [Fact]
    public void Disposing_GivesBackTheCommittedAndSpareBuffers()
    {
        ShardState first = State(2), second = State(4);
        var book = new SnapshotBook(1);
        book.Taken(2, _ => new StateHandedOver(first), _ => []);
        book.Taken(4, _ => new StateHandedOver(second), _ => []);

        book.Dispose();

        Assert.True(Disposed(first));
        Assert.True(Disposed(second));
    }
}
