namespace TpActors.Testing.Tests;

// Each expectation is shown to pass when it should and to fail (with a TestKitFailure that says why) when it should not.
public sealed class TestProbeTests : TestKit
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(50);

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender.Tell(m, Self));
    }

    [Fact]
    public void ExpectMsg_MessageArrives_ReturnsIt()
    {
        TestActor.Tell("hi", null);
        Assert.Equal("hi", ExpectMsg<string>());
    }

    [Fact]
    public void ExpectMsg_NothingArrives_FailsWithTimeoutNamingTheType()
    {
        var failure = Assert.Throws<TestKitFailure>(() => ExpectMsg<string>(Short));
        Assert.Contains("Timeout", failure.Message);
        Assert.Contains("String", failure.Message);
    }

    [Fact]
    public void ExpectMsg_WrongType_FailsNamingBothTypes()
    {
        TestActor.Tell(42, null);
        var failure = Assert.Throws<TestKitFailure>(() => ExpectMsg<string>());
        Assert.Contains("String", failure.Message);
        Assert.Contains("Int32", failure.Message);
    }

    [Fact]
    public void ExpectMsg_PredicateFalse_Fails()
    {
        TestActor.Tell(41, null);
        Assert.Throws<TestKitFailure>(() => ExpectMsg<int>(n => n == 42));
    }

    [Fact]
    public void ExpectMsg_ValueNotEqual_Fails()
    {
        TestActor.Tell("a", null);
        var failure = Assert.Throws<TestKitFailure>(() => ExpectMsg("b"));
        Assert.Contains("equal to b", failure.Message);
    }

    [Fact]
    public void ExpectNoMsg_Quiet_Passes_AndFailsWhenAMessageCame()
    {
        ExpectNoMsg(Short);
        TestActor.Tell("surprise", null);
        // A long window, so that the message surely arrives inside it; ExpectNoMsg fails as soon as it does.
        var failure = Assert.Throws<TestKitFailure>(() => ExpectNoMsg(TimeSpan.FromSeconds(10)));
        Assert.Contains("surprise", failure.Message);
    }

    [Fact]
    public void ExpectTerminated_WatchedActorStops_Passes_OtherActorFails()
    {
        var first = Sys.ActorOf(Props.Create<Echo>());
        var second = Sys.ActorOf(Props.Create<Echo>());
        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first);

        Watch(second);
        Sys.Stop(second);
        Assert.Throws<TestKitFailure>(() => ExpectTerminated(first));
    }

    [Fact]
    public void FishForMessage_SkipsUntilMatch_AndFailsWhenNoneMatches()
    {
        foreach (var n in new[] { 1, 2, 3 }) TestActor.Tell(n, null);
        Assert.Equal(3, FishForMessage(m => m is 3));

        TestActor.Tell(4, null);
        var failure = Assert.Throws<TestKitFailure>(() => FishForMessage(m => m is 99, TimeSpan.FromSeconds(1))); // long enough for 4 to arrive
        Assert.Contains("skipped Int32 4", failure.Message);
    }

    [Fact]
    public void ReceiveN_TooFew_Fails()
    {
        TestActor.Tell(1, null);
        TestActor.Tell(2, null);
        Assert.Equal([1, 2], ReceiveN(2));
        TestActor.Tell(3, null);
        var failure = Assert.Throws<TestKitFailure>(() => ReceiveN(2, TimeSpan.FromSeconds(1))); // long enough for 3 to arrive
        Assert.Contains("after 1 of 2", failure.Message);
    }

    [Fact]
    public void Reply_GoesToLastSender_ForwardKeepsOriginalSender()
    {
        var probe = CreateTestProbe("middle");
        probe.Ref.Tell("question", TestActor);
        probe.ExpectMsg("question");
        probe.Reply("answer");
        ExpectMsg("answer");
        Assert.Equal(probe.Ref, LastSender);

        var target = CreateTestProbe("target");
        probe.Ref.Tell("pass-on", TestActor);
        probe.ExpectMsg("pass-on");
        probe.Forward(target.Ref);
        target.ExpectMsg("pass-on");
        Assert.Equal(TestActor, target.LastSender);
    }

    [Fact]
    public void ReplyAndForward_BeforeAnyMessage_Fail()
    {
        var probe = CreateTestProbe();
        Assert.Throws<TestKitFailure>(() => probe.Reply("nobody asked"));
        Assert.Throws<TestKitFailure>(() => probe.Forward(TestActor));
    }

    [Fact]
    public void Within_BlockFasterThanMin_Fails()
    {
        var failure = Assert.Throws<TestKitFailure>(() => Within(TimeSpan.FromHours(1), TimeSpan.FromHours(2), () => { }));
        Assert.Contains("less than Within's min", failure.Message);
    }

    [Fact]
    public void Within_BlockSlowerThanMax_Fails()
    {
        // ExpectNoMsg waits its whole explicit duration, so the block certainly outlasts the 1 ms bound.
        var failure = Assert.Throws<TestKitFailure>(() => Within(TimeSpan.FromMilliseconds(1), () => ExpectNoMsg(Short)));
        Assert.Contains("more than Within's max", failure.Message);
    }

    [Fact]
    public void Within_ExpectationInside_DefaultsToRemainingTime()
    {
        var failure = Assert.Throws<TestKitFailure>(() => Within(TimeSpan.FromMilliseconds(30), () => ExpectMsg<string>()));
        Assert.Contains("Timeout", failure.Message);
        Assert.DoesNotContain("3 s", failure.Message); // not the 3 s default: what was left of the 30 ms block
    }

    [Fact]
    public void Within_MessageInTime_ReturnsResult()
    {
        TestActor.Tell("fast", null);
        Assert.Equal("fast", Within(TimeSpan.Zero, TimeSpan.FromSeconds(5), () => ExpectMsg<string>()));
    }
}
