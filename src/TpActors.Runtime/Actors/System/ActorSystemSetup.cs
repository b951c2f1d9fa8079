using Microsoft.Extensions.Logging;

namespace TpActors.Runtime.Actors;

/// <summary>What an <see cref="ActorSystem"/> takes besides its configuration: the services it should use instead of its own.</summary>
public sealed record ActorSystemSetup
{
    /// <summary>Where actors and the runtime log; null for no logging.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The scheduler (the TestKit passes a <c>TestScheduler</c>); null for the wall-clock one.</summary>
    public IScheduler? Scheduler { get; init; }
}
