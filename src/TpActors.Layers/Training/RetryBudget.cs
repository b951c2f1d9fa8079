namespace TpActors.Layers.Training;

/// <summary>Counts failures in a sliding window (Akka's maxNrOfRetries within withinTimeRange, over the whole group).</summary>
internal sealed class RetryBudget(int maxRetries, TimeSpan window)
{
    private readonly Queue<TimeSpan> _failures = new();

    /// <summary>Records <paramref name="count"/> failures at <paramref name="now"/>; false once more than the allowed retries fall in the window.</summary>
    public bool TryRecord(int count, TimeSpan now)
    {
        while (_failures.TryPeek(out var oldest) && now - oldest > window) _failures.Dequeue();
        for (int i = 0; i < count; i++) _failures.Enqueue(now);
        return _failures.Count <= maxRetries;
    }

    /// <summary>Failures inside the window.</summary>
    public int InWindow => _failures.Count;
}
