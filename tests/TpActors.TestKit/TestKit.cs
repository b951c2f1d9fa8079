using TpActors.Runtime.Actors;
using TpActors.Runtime.Configuration;

namespace TpActors.Testing;

/// <summary>
/// Base class for xunit tests of actors, as Akka's <c>TestKit</c>: each test gets a fresh <see cref="ActorSystem"/>
/// (<see cref="Sys"/>) and a default probe (<see cref="TestActor"/>) whose expectations are available directly
/// (<c>ExpectMsg</c>, <c>ExpectNoMsg</c>, <c>ExpectTerminated</c>, …); the system is terminated when the test ends.
/// </summary>
public abstract class TestKit : IDisposable
{
    private readonly TestProbe _testProbe;
    private bool _disposed;

    /// <summary>Starts the test's actor system.</summary>
    /// <param name="config">HOCON laid over reference.conf, e.g. <c>"tpactors.test.timefactor = 2"</c>.</param>
    /// <param name="scheduler">A <see cref="TestScheduler"/> to drive time by hand; null for the wall clock.</param>
    protected TestKit(string? config = null, IScheduler? scheduler = null)
    {
        var parsed = config is null ? Config.Empty : ConfigFactory.ParseString(config);
        Sys = ActorSystem.Create(SystemName(GetType()), parsed, new ActorSystemSetup { Scheduler = scheduler });
        Settings = TestKitSettings.From(Sys.Config);
        EventFilter = new EventFilter(Sys, Settings);
        _testProbe = new TestProbe(Sys, Settings, "testActor");
    }

    /// <summary>The test's actor system.</summary>
    protected ActorSystem Sys { get; }

    /// <summary>The <c>tpactors.test</c> settings.</summary>
    protected TestKitSettings Settings { get; }

    /// <summary>Expectations on errors, warnings and dead letters.</summary>
    protected EventFilter EventFilter { get; }

    /// <summary>The default probe's actor: pass it as the recipient or sender whose messages the test expects.</summary>
    protected IActorRef TestActor => _testProbe.Ref;

    /// <summary>The system's scheduler as a <see cref="TestScheduler"/>; fails if the test did not pass one.</summary>
    protected TestScheduler TestScheduler => Sys.Scheduler as TestScheduler
        ?? throw new InvalidOperationException("This test runs on the wall-clock scheduler; pass a TestScheduler to the TestKit constructor.");

    /// <summary>The sender of the last message the default probe received.</summary>
    protected IActorRef LastSender => _testProbe.LastSender;

    /// <summary>A new probe, named <paramref name="name"/> or by the system.</summary>
    protected TestProbe CreateTestProbe(string? name = null) => new(Sys, Settings, name);

    /// <summary><paramref name="duration"/> stretched by <c>tpactors.test.timefactor</c>.</summary>
    protected TimeSpan Dilated(TimeSpan duration) => Settings.Dilated(duration);

    /// <inheritdoc cref="TestProbe.ExpectMsg{T}(TimeSpan?)"/>
    protected T ExpectMsg<T>(TimeSpan? timeout = null) => _testProbe.ExpectMsg<T>(timeout);

    /// <inheritdoc cref="TestProbe.ExpectMsg{T}(Predicate{T}, TimeSpan?, string?)"/>
    protected T ExpectMsg<T>(Predicate<T> predicate, TimeSpan? timeout = null, string? hint = null) => _testProbe.ExpectMsg(predicate, timeout, hint);

    /// <inheritdoc cref="TestProbe.ExpectMsg{T}(T, TimeSpan?)"/>
    protected T ExpectMsg<T>(T expected, TimeSpan? timeout = null) where T : notnull => _testProbe.ExpectMsg(expected, timeout);

    /// <inheritdoc cref="TestProbe.ExpectNoMsg"/>
    protected void ExpectNoMsg(TimeSpan? duration = null) => _testProbe.ExpectNoMsg(duration);

    /// <inheritdoc cref="TestProbe.ExpectTerminated"/>
    protected Terminated ExpectTerminated(IActorRef target, TimeSpan? timeout = null) => _testProbe.ExpectTerminated(target, timeout);

    /// <inheritdoc cref="TestProbe.FishForMessage(Predicate{object}, TimeSpan?, string?)"/>
    protected object FishForMessage(Predicate<object> isMessage, TimeSpan? timeout = null, string? hint = null) => _testProbe.FishForMessage(isMessage, timeout, hint);

    /// <inheritdoc cref="TestProbe.ReceiveN"/>
    protected IReadOnlyList<object> ReceiveN(int count, TimeSpan? timeout = null) => _testProbe.ReceiveN(count, timeout);

    /// <inheritdoc cref="TestProbe.Watch"/>
    protected IActorRef Watch(IActorRef target) => _testProbe.Watch(target);

    /// <inheritdoc cref="TestProbe.Unwatch"/>
    protected IActorRef Unwatch(IActorRef target) => _testProbe.Unwatch(target);

    /// <inheritdoc cref="TestProbe.Reply"/>
    protected void Reply(object message) => _testProbe.Reply(message);

    /// <inheritdoc cref="TestProbe.Within(TimeSpan, TimeSpan, Action)"/>
    protected void Within(TimeSpan min, TimeSpan max, Action block) => _testProbe.Within(min, max, block);

    /// <inheritdoc cref="TestProbe.Within(TimeSpan, Action)"/>
    protected void Within(TimeSpan max, Action block) => _testProbe.Within(max, block);

    /// <inheritdoc cref="TestProbe.Within{T}(TimeSpan, TimeSpan, Func{T})"/>
    protected T Within<T>(TimeSpan min, TimeSpan max, Func<T> block) => _testProbe.Within(min, max, block);

    /// <summary>Terminates the system and waits for it (up to the dilated shutdown timeout); fails the test if it does not terminate.</summary>
    protected void Shutdown()
    {
        var timeout = Settings.Dilated(Settings.ShutdownTimeout);
        if (!Sys.Terminate().Wait(timeout))
            throw new TestKitFailure($"Actor system {Sys.Name} did not terminate within {TestProbe.Describe(timeout)}: an actor's PostStop may block, or a child never stopped.");
    }

    /// <summary>Ends the test: terminates the system.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Shutdown();
        GC.SuppressFinalize(this);
    }

    private static string SystemName(Type testClass)
    {
        var name = new string(testClass.Name.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_').ToArray());
        return name.Length == 0 ? "test" : name;
    }
}
