namespace TpActors.Runtime.Tests.Actors;

// The wall-clock scheduler, with delays short enough that the default expectation timeouts cover them.
public sealed class SchedulerTests : TestKit
{
    [Fact]
    public void ScheduleTellOnce_Arrives()
    {
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(20), TestActor, "later", null);
        ExpectMsg("later");
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void ScheduleTellRepeatedly_RepeatsUntilCancelled()
    {
        var tick = Sys.Scheduler.ScheduleTellRepeatedly(TimeSpan.Zero, TimeSpan.FromMilliseconds(10), TestActor, "tick", null);
        ReceiveN(3);
        tick.Cancel();
        int late = 0;
        while (!QuietFor(TimeSpan.FromMilliseconds(150)))
            Assert.True(++late <= 2, "after Cancel, at most the ticks already in flight arrive");
    }

    // True once no message has come for `quiet` (a tick may already have been in flight when Cancel ran).
    private bool QuietFor(TimeSpan quiet)
    {
        try
        {
            ExpectNoMsg(quiet);
            return true;
        }
        catch (TestKitFailure)
        {
            return false;
        }
    }

    [Fact]
    public void ScheduleOnce_Cancelled_NeverRuns()
    {
        var ran = false;
        var item = Sys.Scheduler.ScheduleOnce(TimeSpan.FromMilliseconds(30), () => ran = true);
        item.Cancel();
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.False(ran);
        Assert.True(item.IsCancellationRequested);
    }

    [Fact]
    public void Schedule_BadArguments_AreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromSeconds(-1), TestActor, "x", null));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sys.Scheduler.ScheduleTellRepeatedly(TimeSpan.Zero, TimeSpan.Zero, TestActor, "x", null));
    }
}
