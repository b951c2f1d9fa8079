using System.Diagnostics;
using TpActors.Runtime.Actors;

namespace TpActors.Testing;

/// <summary>
/// A scheduler on a clock that only the test moves: nothing scheduled runs until <see cref="Advance"/> passes its due
/// time, and then it runs on the calling thread, in due order. Pass one to a TestKit to test timeouts, retries and
/// periodic work without waiting.
/// </summary>
[DebuggerDisplay("TestScheduler at {Now}, {PendingCount} pending")]
public sealed class TestScheduler : SchedulerBase
{
    private readonly Lock _lock = new();
    private readonly PriorityQueue<Item, (DateTimeOffset Due, long Order)> _queue = new();
    private DateTimeOffset _now = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private long _order;

    /// <summary>The virtual time; starts at 2000-01-01T00:00Z.</summary>
    public override DateTimeOffset Now
    {
        get
        {
            lock (_lock) return _now;
        }
    }

    /// <summary>Items scheduled and not yet run (repeating ones count until cancelled); cancelled ones still queued count too.</summary>
    public int PendingCount
    {
        get
        {
            lock (_lock) return _queue.Count;
        }
    }

    /// <summary>Moves the clock forward by <paramref name="by"/>, running everything that falls due, in order (a repeating item as many times as it falls due).</summary>
    public void Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(by), by, "The clock cannot go back.");
        AdvanceTo(Now + by);
    }

    /// <summary>Moves the clock to <paramref name="when"/>, running everything due by then.</summary>
    public void AdvanceTo(DateTimeOffset when)
    {
        while (true)
        {
            Item item;
            lock (_lock)
            {
                if (!_queue.TryPeek(out item!, out var key) || key.Due > when) break;
                _queue.Dequeue();
                _now = key.Due;
            }
            if (item.IsCancellationRequested) continue;
            item.Action(); // outside the lock: the action may schedule more
            if (item.Interval is { } interval && !item.IsCancellationRequested)
                lock (_lock) _queue.Enqueue(item, (_now + interval, _order++));
        }
        lock (_lock) if (when > _now) _now = when;
    }

    /// <inheritdoc/>
    protected override ICancelable Schedule(TimeSpan delay, TimeSpan? interval, Action action)
    {
        var item = new Item(action, interval);
        lock (_lock) _queue.Enqueue(item, (_now + delay, _order++));
        return item;
    }

    private sealed class Item(Action action, TimeSpan? interval) : ICancelable
    {
        private volatile bool _cancelled;

        public Action Action { get; } = action;

        public TimeSpan? Interval { get; } = interval;

        public bool IsCancellationRequested => _cancelled;

        public void Cancel() => _cancelled = true;
    }
}
