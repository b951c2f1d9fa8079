namespace TpActors.Runtime.Actors;

/// <summary>The argument checks every <see cref="IScheduler"/> makes, in one place.</summary>
public static class SchedulerArguments
{
    /// <summary>Throws unless <paramref name="delay"/> is zero or more.</summary>
    public static void CheckDelay(TimeSpan delay, string name)
    {
        if (delay < TimeSpan.Zero) throw new ArgumentOutOfRangeException(name, delay, "A delay cannot be negative.");
    }

    /// <summary>Throws unless <paramref name="interval"/> is positive.</summary>
    public static void CheckInterval(TimeSpan interval, string name)
    {
        if (interval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(name, interval, "A repeat interval must be positive.");
    }
}
