using System.Collections.Concurrent;

namespace TpActors.Runtime.Actors;

/// <summary>The wall-clock scheduler: one <see cref="ITimer"/> from a <see cref="TimeProvider"/> per scheduled item. Cancels everything still pending when the system terminates.</summary>
internal sealed class SystemScheduler(TimeProvider time) : IScheduler
{
    /// <summary>Items not yet cancelled or finished; a repeating one stays until cancelled.</summary>
    private readonly ConcurrentDictionary<ScheduledItem, byte> _pending = new();

    public DateTimeOffset Now => time.GetUtcNow();

    public ICancelable ScheduleTellOnce(TimeSpan delay, IActorRef receiver, object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentNullException.ThrowIfNull(message);
        SchedulerArguments.CheckDelay(delay, nameof(delay));
        return Schedule(delay, Timeout.InfiniteTimeSpan, () => receiver.Tell(message, sender));
    }

    public ICancelable ScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, IActorRef receiver, object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentNullException.ThrowIfNull(message);
        SchedulerArguments.CheckDelay(initialDelay, nameof(initialDelay));
        SchedulerArguments.CheckInterval(interval, nameof(interval));
        return Schedule(initialDelay, interval, () => receiver.Tell(message, sender));
    }

    public ICancelable ScheduleOnce(TimeSpan delay, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        SchedulerArguments.CheckDelay(delay, nameof(delay));
        return Schedule(delay, Timeout.InfiniteTimeSpan, action);
    }

    /// <summary>Cancels every pending item; called when the system has terminated.</summary>
    public void CancelAll()
    {
        foreach (var item in _pending.Keys) item.Cancel();
    }

    private ScheduledItem Schedule(TimeSpan due, TimeSpan period, Action action)
    {
        var item = new ScheduledItem(this, action, repeats: period != Timeout.InfiniteTimeSpan);
        _pending[item] = 0;
        item.Start(time, due, period);
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
