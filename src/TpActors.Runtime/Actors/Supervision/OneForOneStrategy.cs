namespace TpActors.Runtime.Actors;

/// <summary>The directive applies to the failed child only; its siblings carry on.</summary>
/// <param name="maxNrOfRetries">Restarts allowed within the window; -1 for no limit. Past it, the child is stopped.</param>
/// <param name="withinTimeRange">The window restarts are counted in; null for the child's whole life.</param>
/// <param name="decider">Maps an exception to a directive; null for <see cref="SupervisorStrategy.DefaultDecider"/>.</param>
public sealed class OneForOneStrategy(int maxNrOfRetries, TimeSpan? withinTimeRange, Func<Exception, Directive>? decider)
    : SupervisorStrategy(maxNrOfRetries, withinTimeRange, decider)
{
    /// <summary>A strategy with no retry limit.</summary>
    public OneForOneStrategy(Func<Exception, Directive> decider) : this(-1, null, decider) { }

    private protected override IEnumerable<ChildRestartStats> Affected(ChildRestartStats failed, IReadOnlyCollection<ChildRestartStats> all) => [failed];
}
