namespace TpActors.Runtime.Actors;

/// <summary>
/// Sends messages (or runs actions) later, once or repeatedly. The system's scheduler follows the wall clock; the
/// TestKit's <c>TestScheduler</c> follows a clock the test moves, so timeouts and retries can be tested without waiting.
/// </summary>
public interface IScheduler
{
    /// <summary>The scheduler's current time.</summary>
    DateTimeOffset Now { get; }

    /// <summary>Tells <paramref name="message"/> to <paramref name="receiver"/> once, after <paramref name="delay"/>.</summary>
    ICancelable ScheduleTellOnce(TimeSpan delay, IActorRef receiver, object message, IActorRef? sender);

    /// <summary>Tells <paramref name="message"/> to <paramref name="receiver"/> after <paramref name="initialDelay"/>, then every <paramref name="interval"/> until cancelled.</summary>
    ICancelable ScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, IActorRef receiver, object message, IActorRef? sender);

    /// <summary>Runs <paramref name="action"/> once, after <paramref name="delay"/>, on a scheduler thread; keep it short.</summary>
    ICancelable ScheduleOnce(TimeSpan delay, Action action);
}
