using TpActors.Runtime.Actors;

namespace TpActors.Testing;

/// <summary>One kind of event to count while a block runs; made by <see cref="EventFilter"/>.</summary>
public sealed class EventExpectation
{
    private readonly ActorSystem _system;
    private readonly TestKitSettings _settings;
    private readonly Type _channel;
    private readonly Func<object, bool> _matches;
    private readonly string _description;

    internal EventExpectation(ActorSystem system, TestKitSettings settings, Type channel, Func<object, bool> matches, string description)
    {
        _system = system;
        _settings = settings;
        _channel = channel;
        _matches = matches;
        _description = description;
    }

    /// <summary>Runs <paramref name="block"/> and expects exactly one matching event (waiting up to the dilated filter leeway after the block).</summary>
    public void ExpectOne(Action block) => Expect(1, block);

    /// <summary>Runs <paramref name="block"/> and expects exactly <paramref name="occurrences"/> matching events.</summary>
    public void Expect(int occurrences, Action block) => Expect(occurrences, () => { block(); return 0; });

    /// <summary>Runs <paramref name="block"/>, expects exactly <paramref name="occurrences"/> matching events, and returns the block's result.</summary>
    public T Expect<T>(int occurrences, Func<T> block)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (occurrences < 0) throw new ArgumentOutOfRangeException(nameof(occurrences), occurrences, "Expect a count of 0 or more.");
        using var counter = new Counter(this);
        var result = block();
        counter.Check(occurrences);
        return result;
    }

    /// <summary>Awaits <paramref name="block"/> and expects exactly <paramref name="occurrences"/> matching events.</summary>
    public async Task ExpectAsync(int occurrences, Func<Task> block)
    {
        ArgumentNullException.ThrowIfNull(block);
        using var counter = new Counter(this);
        await block();
        counter.Check(occurrences);
    }

    /// <summary>Counts matching events from construction to disposal.</summary>
    private sealed class Counter : IDisposable
    {
        private readonly EventExpectation _owner;
        private readonly IActorRef _subscriber;
        private readonly SemaphoreSlim _arrived = new(0);
        private int _count;

        public Counter(EventExpectation owner)
        {
            _owner = owner;
            _subscriber = new FunctionRef(owner._system.DeadLetters.Path.Parent!.Child("system").Child($"event-filter-{Guid.NewGuid():N}"), (e, _) =>
            {
                if (!owner._matches(e)) return;
                Interlocked.Increment(ref _count);
                _arrived.Release();
            });
            owner._system.EventStream.Subscribe(_subscriber, owner._channel);
        }

        public void Check(int occurrences)
        {
            var leeway = _owner._settings.Dilated(_owner._settings.FilterLeeway);
            var deadline = DateTimeOffset.UtcNow + leeway;
            // Wait for each expected event; the count already includes those that came during the block.
            for (int seen = 0; seen < occurrences; seen++)
                if (!_arrived.Wait(Max(deadline - DateTimeOffset.UtcNow, TimeSpan.Zero))) break;
            int count = Volatile.Read(ref _count);
            if (count != occurrences)
                throw new TestKitFailure($"Expected {occurrences} {_owner._description}, but saw {count}{(count < occurrences ? $" within {TestProbe.Describe(leeway)}" : "")}.");
        }

        public void Dispose() => _owner._system.EventStream.Unsubscribe(_subscriber);

        private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
    }
}
