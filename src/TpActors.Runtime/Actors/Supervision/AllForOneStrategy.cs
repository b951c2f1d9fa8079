namespace TpActors.Runtime.Actors;

/// <summary>
/// A restart or stop applies to every child, not only the failed one (for children that only work as a group, like the
/// ranks of one tensor-parallel group). Resume applies to the failed child alone.
/// </summary>
/// <param name="maxNrOfRetries">Restarts allowed per child within the window; -1 for no limit. Past it, all children are stopped.</param>
/// <param name="withinTimeRange">The window restarts are counted in; null for the children's whole life.</param>
/// <param name="decider">Maps an exception to a directive; null for <see cref="SupervisorStrategy.DefaultDecider"/>.</param>
public sealed class AllForOneStrategy(int maxNrOfRetries, TimeSpan? withinTimeRange, Func<Exception, Directive>? decider)
    : SupervisorStrategy(maxNrOfRetries, withinTimeRange, decider)
{
    /// <summary>A strategy with no retry limit.</summary>
    public AllForOneStrategy(Func<Exception, Directive> decider) : this(-1, null, decider) { }

    private protected override IEnumerable<ChildRestartStats> Affected(ChildRestartStats failed, IReadOnlyCollection<ChildRestartStats> all) => all;
}
