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
        // Ticks sent before Cancel may still be queued (many, when the machine is loaded and the test thread was
        // slow to call Cancel); they drain at once. A live timer would keep one coming every 10 ms, so the probe
        // would never fall quiet for 150 ms and the bound below would be reached.
        int backlog = 0;
        while (!QuietFor(TimeSpan.FromMilliseconds(150)))
            Assert.True(++backlog <= 100, "ticks kept arriving after Cancel");
    }

    // True once no message has come for `quiet`.
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
