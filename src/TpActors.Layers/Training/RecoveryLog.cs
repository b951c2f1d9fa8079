namespace TpActors.Layers.Training;

/// <summary>
/// The recoveries of a run, in order, and what each cost. A recovery is open from the failure being noticed until the
/// group runs again; every recovery resolved by the same re-forming is one incident, and time is counted once: a
/// recovery's lost time starts where the previous incident's ended, so recoveries that overlap (two ranks failing in one
/// step, a stop and a hang) share it and the sum is the run's lost time. Used on the supervisor's thread only.
/// </summary>
internal sealed class RecoveryLog
{
    private readonly List<Recovery> _all = [];
    private readonly List<(Recovery Recovery, TimeSpan DetectedAt, TimeSpan ActionStartedAt)> _open = [];
    private int _incidents;        // incidents resolved so far
    private TimeSpan _lostUntil;   // the end of the time already counted as lost

    /// <summary>Every recovery, in the order the failures were noticed.</summary>
    public IReadOnlyList<Recovery> All => _all;

    /// <summary>The last one noticed.</summary>
    public Recovery Last => _all[^1];

    /// <summary>Opens a recovery noticed at <paramref name="detectedAt"/> whose work since <paramref name="actionStartedAt"/> is lost.</summary>
    public void Open(Recovery recovery, TimeSpan detectedAt, TimeSpan actionStartedAt)
    {
        _all.Add(recovery);
        _open.Add((recovery, detectedAt, actionStartedAt));
    }

    /// <summary>The group runs again at <paramref name="now"/>: every open recovery is resolved, as one incident; returns them (none when none was open).</summary>
    public IReadOnlyList<Recovery> Resolve(TimeSpan now)
    {
        if (_open.Count == 0) return [];
        _incidents++;
        foreach (var (recovery, detectedAt, actionStartedAt) in _open)
        {
            var from = actionStartedAt > _lostUntil ? actionStartedAt : _lostUntil;
            recovery.Incident = _incidents;
            recovery.RecoveryTime = now - detectedAt;
            recovery.TimeLost = now > from ? now - from : TimeSpan.Zero;
            _lostUntil = now;
        }
        var resolved = _open.Select(o => o.Recovery).ToList();
        _open.Clear();
        return resolved;
    }
}
