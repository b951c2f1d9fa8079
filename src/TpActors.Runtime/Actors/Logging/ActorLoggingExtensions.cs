using Microsoft.Extensions.Logging;

namespace TpActors.Runtime.Actors;

/// <summary>Logging from inside an actor through Microsoft.Extensions.Logging.</summary>
public static class ActorLoggingExtensions
{
    /// <summary>A logger named after the actor's class whose every line starts with the actor's path.</summary>
    public static ILogger GetLogger(this IActorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var inner = context.System.LoggerFactory.CreateLogger(context.Props.ActorType.FullName ?? context.Props.ActorType.Name);
        return new ActorPathLogger(inner, context.Self.Path);
    }
}
