namespace TpActors.Runtime.Actors;

/// <summary>
/// How a parent treats a failing child. The decider maps the exception to a <see cref="Directive"/>; the strategy says
/// which children the directive applies to (<see cref="OneForOneStrategy"/>: the failed one; <see cref="AllForOneStrategy"/>:
/// all of them) and how many restarts are allowed in a window before the child is stopped instead.
/// </summary>
public abstract class SupervisorStrategy
{
    /// <summary>Creates a strategy.</summary>
    /// <param name="maxNrOfRetries">Restarts allowed per child within the window; -1 for no limit, 0 to stop at the first failure a restart would answer.</param>
    /// <param name="withinTimeRange">The window; null for the whole life of the child.</param>
    /// <param name="decider">Maps an exception to a directive; null for <see cref="DefaultDecider"/>.</param>
    protected SupervisorStrategy(int maxNrOfRetries, TimeSpan? withinTimeRange, Func<Exception, Directive>? decider)
    {
        if (maxNrOfRetries < -1) throw new ArgumentOutOfRangeException(nameof(maxNrOfRetries), maxNrOfRetries, "Use -1 for no limit, or a count of 0 or more.");
        if (withinTimeRange is { } w && w <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(withinTimeRange), w, "The window must be positive, or null for no window.");
        MaxNrOfRetries = maxNrOfRetries;
        WithinTimeRange = withinTimeRange;
        Decider = decider ?? DefaultDecider;
    }

    /// <summary>Restarts allowed per child within <see cref="WithinTimeRange"/>; -1 means no limit.</summary>
    public int MaxNrOfRetries { get; }

    /// <summary>The window restarts are counted in; null means the whole life of the child.</summary>
    public TimeSpan? WithinTimeRange { get; }

    /// <summary>Maps an exception to a directive.</summary>
    public Func<Exception, Directive> Decider { get; }

    /// <summary>As in Akka: stop on <see cref="ActorInitializationException"/>, <see cref="ActorKilledException"/> and <see cref="DeathPactException"/>; restart on anything else.</summary>
    public static Directive DefaultDecider(Exception cause) => cause switch
    {
        ActorInitializationException or ActorKilledException or DeathPactException => Directive.Stop,
        _ => Directive.Restart,
    };

    /// <summary>One-for-one, no retry limit, <see cref="DefaultDecider"/>: what an actor gets unless it says otherwise.</summary>
    public static SupervisorStrategy Default { get; } = new OneForOneStrategy(-1, null, DefaultDecider);

    /// <summary>One-for-one that stops every failing child.</summary>
    public static SupervisorStrategy StoppingStrategy { get; } = new OneForOneStrategy(-1, null, _ => Directive.Stop);

    /// <summary>The children a Restart or Stop applies to when <paramref name="failed"/> fails; <paramref name="all"/> holds every live child.</summary>
    private protected abstract IEnumerable<ChildRestartStats> Affected(ChildRestartStats failed, IReadOnlyCollection<ChildRestartStats> all);

    /// <summary>Applies <paramref name="directive"/> (not Escalate, which the parent handles itself) after <paramref name="failed"/> failed.</summary>
    internal void Apply(Directive directive, ChildRestartStats failed, IReadOnlyCollection<ChildRestartStats> all, Exception cause, DateTimeOffset now)
    {
        switch (directive)
        {
            case Directive.Resume:
                failed.Child.SendSystemMessage(new Resume()); // only the failed child was suspended
                break;
            case Directive.Restart:
                var children = Affected(failed, all).ToList();
                bool allowed = children.All(c => c.RequestRestartPermission(MaxNrOfRetries, WithinTimeRange, now));
                foreach (var child in children) child.Child.SendSystemMessage(allowed ? new Recreate(cause) : new Terminate());
                break;
            case Directive.Stop:
                foreach (var child in Affected(failed, all)) child.Child.SendSystemMessage(new Terminate());
                break;
        }
    }
}
