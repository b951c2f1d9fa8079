namespace TpActors.Runtime.Actors;

/// <summary>How often one child was restarted inside the current window; decides whether one more restart is allowed.</summary>
internal sealed class ChildRestartStats(IInternalActorRef child)
{
    private int _restartsInWindow;
    private DateTimeOffset _windowStart;

    /// <summary>The child.</summary>
    public IInternalActorRef Child { get; } = child;

    /// <summary>Set when the parent asked the child to stop; a restart of the parent waits for such children to finish.</summary>
    public bool StopRequested { get; set; }

    /// <summary>
    /// Counts one restart and says whether it stays within <paramref name="maxNrOfRetries"/> restarts per
    /// <paramref name="withinTimeRange"/>. A negative maximum means unlimited; a null window means the count never resets.
    /// </summary>
    public bool RequestRestartPermission(int maxNrOfRetries, TimeSpan? withinTimeRange, DateTimeOffset now)
    {
        if (maxNrOfRetries < 0) return true;
        if (maxNrOfRetries == 0) return false;
        if (withinTimeRange is { } window)
        {
            if (_restartsInWindow == 0 || now - _windowStart > window)
            {
                _windowStart = now;
                _restartsInWindow = 0;
            }
        }
        _restartsInWindow++;
        return _restartsInWindow <= maxNrOfRetries;
    }
}
