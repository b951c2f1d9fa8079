namespace TpActors.Testing.Tests;

public sealed class TestSchedulerTests() : TestKit(scheduler: new TestScheduler())
{
    [Fact]
    public void Advance_RunsDueItemsInOrder_AndNothingEarly()
    {
        TestScheduler.ScheduleTellOnce(TimeSpan.FromSeconds(2), TestActor, "second", null);
        TestScheduler.ScheduleTellOnce(TimeSpan.FromSeconds(1), TestActor, "first", null);
        TestScheduler.Advance(TimeSpan.FromMilliseconds(999));
        ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        TestScheduler.Advance(TimeSpan.FromSeconds(5));
        ExpectMsg("first");
        ExpectMsg("second");
    }

    [Fact]
    public void Repeatedly_FiresOncePerInterval_UntilCancelled()
    {
        var tick = TestScheduler.ScheduleTellRepeatedly(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TestActor, "tick", null);
        TestScheduler.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(["tick", "tick", "tick"], ReceiveN(3));
        tick.Cancel();
        TestScheduler.Advance(TimeSpan.FromSeconds(10));
        ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        Assert.True(tick.IsCancellationRequested);
    }

    [Fact]
    public void Now_MovesOnlyWithAdvance()
    {
        var start = TestScheduler.Now;
        TestScheduler.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(TimeSpan.FromMinutes(3), TestScheduler.Now - start);
        Assert.Throws<ArgumentOutOfRangeException>(() => TestScheduler.Advance(TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public void TestSchedulerProperty_WithoutTestScheduler_SaysSo()
    {
        using var other = new PlainKit();
        Assert.Contains("pass a TestScheduler", Assert.Throws<InvalidOperationException>(() => other.Scheduler).Message);
    }

    private sealed class PlainKit : TestKit
    {
        public TestScheduler Scheduler => TestScheduler;
    }
}
