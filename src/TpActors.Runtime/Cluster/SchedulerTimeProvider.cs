using Akka.Actor;

namespace TpActors.Runtime.Cluster;

/// <summary>
/// A <see cref="TimeProvider"/> that reads Akka's scheduler: its time is the scheduler's <see cref="ITimeProvider.Now"/>, its
/// timers are the scheduler's one-shot actions. Under Akka.TestKit's <c>TestScheduler</c> that is virtual time, moved by
/// <c>Advance</c>: code that waits on this clock (a collective's timeout) waits in the same time as the actors' timers.
/// </summary>
public sealed class SchedulerTimeProvider(IScheduler scheduler) : TimeProvider
{
    /// <summary>The clock of <paramref name="system"/>: the machine's under Akka's own scheduler, the scheduler's under any other.</summary>
    public static TimeProvider For(ActorSystem system) =>
        system.Scheduler is HashedWheelTimerScheduler ? System : new SchedulerTimeProvider(system.Scheduler);

    /// <inheritdoc/>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc/>
    public override long GetTimestamp() => scheduler.Now.UtcTicks;

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow() => scheduler.Now;

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new SchedulerTimer(scheduler, callback, state, dueTime, period);

    // One scheduled action at a time; Change cancels it and schedules the next.
    private sealed class SchedulerTimer : ITimer
    {
        private readonly IScheduler _scheduler;
        private readonly TimerCallback _callback;
        private readonly object? _state;
        private ICancelable? _pending;

        public SchedulerTimer(IScheduler scheduler, TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            _scheduler = scheduler;
            _callback = callback;
            _state = state;
            Change(dueTime, period);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            _pending?.Cancel();
            _pending = null;
            if (dueTime == Timeout.InfiniteTimeSpan) return true;
            var cancelable = new Cancelable(_scheduler);
            if (period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero)
                _scheduler.Advanced.ScheduleOnce(dueTime, () => _callback(_state), cancelable);
            else
                _scheduler.Advanced.ScheduleRepeatedly(dueTime, period, () => _callback(_state), cancelable);
            _pending = cancelable;
            return true;
        }

        public void Dispose() => Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
