namespace TpActors.Testing.Tests;

public sealed class EventFilterTests() : TestKit("tpactors.test.filter-leeway = 300ms") // short: several tests wait the leeway out to fail
{
    private sealed class Thrower : ReceiveActor
    {
        public Thrower() => Receive<string>(s => throw new ArgumentException(s));
    }

    [Fact]
    public void Exception_ExpectedCountSeen_Passes()
    {
        var thrower = Sys.ActorOf(Props.Create<Thrower>());
        EventFilter.Exception<ArgumentException>("boom").Expect(2, () =>
        {
            thrower.Tell("boom 1", null);
            thrower.Tell("boom 2", null);
        });
    }

    [Fact]
    public void Exception_TooFew_FailsWithCounts()
    {
        var thrower = Sys.ActorOf(Props.Create<Thrower>());
        var failure = Assert.Throws<TestKitFailure>(() =>
            EventFilter.Exception<ArgumentException>().Expect(2, () => thrower.Tell("only one", null)));
        Assert.Contains("Expected 2", failure.Message);
        Assert.Contains("saw 1", failure.Message);
    }

    [Fact]
    public void DeadLetter_TooMany_Fails()
    {
        // Telling /deadLetters publishes on this thread, so both events are counted before the check.
        var failure = Assert.Throws<TestKitFailure>(() => EventFilter.DeadLetter<int>().ExpectOne(() =>
        {
            Sys.DeadLetters.Tell(1, null);
            Sys.DeadLetters.Tell(2, null);
        }));
        Assert.Contains("saw 2", failure.Message);
    }

    [Fact]
    public void Exception_OtherType_DoesNotMatch()
    {
        var thrower = Sys.ActorOf(Props.Create<Thrower>());
        Assert.Throws<TestKitFailure>(() =>
            EventFilter.Exception<InvalidOperationException>().Expect(1, () => thrower.Tell("argument", null)));
    }

    [Fact]
    public void DeadLetter_ToStoppedActor_IsCounted()
    {
        var thrower = Sys.ActorOf(Props.Create<Thrower>());
        Watch(thrower);
        Sys.Stop(thrower);
        ExpectTerminated(thrower);
        EventFilter.DeadLetter<int>().Expect(3, () =>
        {
            for (int i = 0; i < 3; i++) thrower.Tell(i, null);
        });
        Assert.Throws<TestKitFailure>(() => EventFilter.DeadLetter<string>().ExpectOne(() => thrower.Tell(7, null)));
    }
}
