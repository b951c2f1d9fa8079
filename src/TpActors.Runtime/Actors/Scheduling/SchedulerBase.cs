namespace TpActors.Runtime.Actors;

/// <summary>
/// The part every <see cref="IScheduler"/> shares: argument checks and turning a Tell into an action. A scheduler
/// supplies its clock and one primitive, <see cref="Schedule"/>.
/// </summary>
public abstract class SchedulerBase : IScheduler
{
    /// <inheritdoc/>
    public abstract DateTimeOffset Now { get; }

    /// <summary>Runs <paramref name="action"/> after <paramref name="delay"/>, then every <paramref name="interval"/> if one is given, until cancelled. Arguments are already checked.</summary>
    protected abstract ICancelable Schedule(TimeSpan delay, TimeSpan? interval, Action action);

    /// <inheritdoc/>
    public ICancelable ScheduleTellOnce(TimeSpan delay, IActorRef receiver, object message, IActorRef? sender)
    {
        CheckTell(receiver, message);
        CheckDelay(delay, nameof(delay));
        return Schedule(delay, null, () => receiver.Tell(message, sender));
    }

    /// <inheritdoc/>
    public ICancelable ScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, IActorRef receiver, object message, IActorRef? sender)
    {
        CheckTell(receiver, message);
        CheckDelay(initialDelay, nameof(initialDelay));
        if (interval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(interval), interval, "A repeat interval must be positive.");
        return Schedule(initialDelay, interval, () => receiver.Tell(message, sender));
    }

    /// <inheritdoc/>
    public ICancelable ScheduleOnce(TimeSpan delay, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        CheckDelay(delay, nameof(delay));
        return Schedule(delay, null, action);
    }

    private static void CheckTell(IActorRef receiver, object message)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentNullException.ThrowIfNull(message);
    }

    private static void CheckDelay(TimeSpan delay, string name)
    {
        if (delay < TimeSpan.Zero) throw new ArgumentOutOfRangeException(name, delay, "A delay cannot be negative.");
    }
}
