using Microsoft.Extensions.Logging;

namespace TpActors.Runtime.Actors;

/// <summary>
/// Writes the runtime's events to the system's logger, each line starting with the actor path: errors and warnings
/// always, unhandled messages at debug level, and dead letters up to <c>tpactors.actor.log-dead-letters</c>.
/// </summary>
internal sealed class RuntimeEventLogger
{
    private readonly ActorSystem _system;
    private readonly ILogger _logger;
    private int _deadLettersSeen;

    private RuntimeEventLogger(ActorSystem system)
    {
        _system = system;
        _logger = system.LoggerFactory.CreateLogger("TpActors.Runtime.Actors");
    }

    /// <summary>Subscribes a logger for <paramref name="system"/> to its event stream.</summary>
    public static void Subscribe(ActorSystem system)
    {
        var logger = new RuntimeEventLogger(system);
        var subscriber = new FunctionRef(ActorPath.Root(system.Name).Child("system").Child("event-logger"), (message, _) => logger.Log(message));
        system.EventStream.Subscribe<LogEvent>(subscriber);
        system.EventStream.Subscribe<DeadLetter>(subscriber);
        system.EventStream.Subscribe<UnhandledMessage>(subscriber);
    }

    private void Log(object message)
    {
        switch (message)
        {
            case LogEvent e:
                _logger.Log(e.Level, e.Cause, "[{Path}] {Message}", e.LogSource, e.Message);
                break;
            case UnhandledMessage u:
                _logger.LogDebug("[{Path}] Unhandled message {Type} from {Sender}", u.Recipient.Path, u.Message.GetType().Name, u.Sender?.Path.ToString() ?? "no sender");
                break;
            case DeadLetter d:
                LogDeadLetter(d);
                break;
        }
    }

    private void LogDeadLetter(DeadLetter letter)
    {
        int limit = _system.Settings.LogDeadLetters;
        if (limit == 0 || (_system.IsTerminating && !_system.Settings.LogDeadLettersDuringShutdown)) return;
        int seen = Interlocked.Increment(ref _deadLettersSeen);
        if (seen > limit) return;
        string more = seen == limit ? $" This was dead letter {limit} of {limit} logged (tpactors.actor.log-dead-letters); later ones are not logged." : "";
        _logger.LogInformation("[{Path}] Message {Type} from {Sender} was not delivered.{More}",
            letter.Recipient.Path, letter.Message.GetType().Name, letter.Sender?.Path.ToString() ?? "no sender", more);
    }
}
