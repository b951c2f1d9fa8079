using Akka.Actor;
using Akka.Event;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using AkkaLogLevel = Akka.Event.LogLevel;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace TpActors.Runtime.Cluster;

/// <summary>
/// An Akka logger (named in <c>akka.loggers</c>) that passes every Akka log event to Microsoft.Extensions.Logging, under a
/// category per log source, so that Akka's log and the program's go to the same place. The factory comes from the system's
/// <see cref="LogForwardingSetup"/>; a system without one logs nothing through it.
/// </summary>
/// <remarks>
/// It runs on an ordinary mailbox, not Akka's logger mailbox: that one prints the events left in it when the system stops
/// to stdout, where a command's results go. Events still queued at that moment (Akka's own shutdown chatter, at DEBUG) are
/// dropped instead.
/// </remarks>
public sealed class AkkaLogForwarder : ReceiveActor
{
    private readonly ILoggerFactory _factory;
    private readonly LogFilterEvaluator _filter; // the system's log filters (its LogFilterSetup)

    /// <summary>Created by Akka's logging when the system starts.</summary>
    public AkkaLogForwarder()
    {
        var setup = Context.System.Settings.Setup.Get<LogForwardingSetup>();
        _factory = setup.HasValue ? setup.Value.LoggerFactory : NullLoggerFactory.Instance;
        _filter = Context.System.Settings.LogFilter;
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(Forward);
    }

    private void Forward(LogEvent e)
    {
        if (!_filter.ShouldTryKeepMessage(e, out _)) return;
        var logger = _factory.CreateLogger(e.LogSource ?? "akka");
        var level = Level(e.LogLevel());
        if (logger.IsEnabled(level)) logger.Log(level, e.Cause, "{Message}", e.Message?.ToString());
    }

    private static LogLevel Level(AkkaLogLevel level) => level switch
    {
        AkkaLogLevel.DebugLevel => LogLevel.Debug,
        AkkaLogLevel.InfoLevel => LogLevel.Information,
        AkkaLogLevel.WarningLevel => LogLevel.Warning,
        _ => LogLevel.Error,
    };
}
