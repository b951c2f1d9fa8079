using System.Collections.Concurrent;

namespace TpActors.Runtime.Actors;

/// <summary>The wall-clock scheduler: one <see cref="ITimer"/> from a <see cref="TimeProvider"/> per scheduled item. Cancels everything still pending when the system terminates.</summary>
internal sealed class SystemScheduler(TimeProvider time) : SchedulerBase
{
    /// <summary>Items not yet cancelled or finished; a repeating one stays until cancelled.</summary>
    private readonly ConcurrentDictionary<ScheduledItem, byte> _pending = new();

    public override DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Cancels every pending item; called when the system has terminated.</summary>
    public void CancelAll()
    {
        foreach (var item in _pending.Keys) item.Cancel();
    }

    protected override ICancelable Schedule(TimeSpan delay, TimeSpan? interval, Action action)
    {
        var item = new ScheduledItem(this, action, repeats: interval is not null);
        _pending[item] = 0;
        item.Start(time, delay, interval ?? Timeout.InfiniteTimeSpan);
        return item;
    }

    private sealed class ScheduledItem(SystemScheduler owner, Action action, bool repeats) : ICancelable
    {
        private ITimer? _timer;
        private volatile bool _cancelled;

        public bool IsCancellationRequested => _cancelled;

        public void Start(TimeProvider time, TimeSpan due, TimeSpan period)
        {
            var timer = time.CreateTimer(static state => ((ScheduledItem)state!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timer = timer;
            if (!_cancelled) timer.Change(due, period); // armed after _timer is set, so Fire and Cancel always see it
        }

        private void Fire()
        {
            if (_cancelled) return; // a tick already queued when Cancel ran
            if (!repeats) Finish();
            action();
        }

        public void Cancel()
        {
            _cancelled = true;
            Finish();
        }

        private void Finish()
        {
            _timer?.Dispose();
            owner._pending.TryRemove(this, out _);
        }
    }
}
