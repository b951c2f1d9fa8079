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
    private readonly bool _infoEnabled;          // Akka's loglevel lets info through

    /// <summary>Created by Akka's logging when the system starts.</summary>
    public AkkaLogForwarder()
    {
        var setup = Context.System.Settings.Setup.Get<LogForwardingSetup>();
        _factory = setup.HasValue ? setup.Value.LoggerFactory : NullLoggerFactory.Instance;
        _filter = Context.System.Settings.LogFilter;
        _infoEnabled = Logging.LogLevelFor(Context.System.Settings.LogLevel) <= AkkaLogLevel.InfoLevel;
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(Forward);
    }

    private void Forward(LogEvent e)
    {
        if (!_filter.ShouldTryKeepMessage(e, out _)) return;
        var logger = _factory.CreateLogger(e.LogSource ?? "akka");
        if (IsClusterChurn(e))
        {
            // One line at info, the cause in words: Akka's loglevel (WARNING by default) keeps it out of sight.
            if (logger.IsEnabled(LogLevel.Information) && _infoEnabled)
                logger.Log(LogLevel.Information, "{Message}{Cause}", e.Message?.ToString(), e.Cause is { } cause ? $" ({cause.GetType().Name}: {cause.Message})" : "");
            return;
        }
        var level = Level(e.LogLevel());
        if (logger.IsEnabled(level)) logger.Log(level, e.Cause, "{Message}", e.Message?.ToString());
    }

    /// <summary>
    /// Whether an event is Akka's account of a connection that ended or could not be made, or of a member that became
    /// unreachable and was downed: a driver that left, a host that died or restarted (a run recovers from it, or the
    /// cluster removes it, and the program says so in its own words). That is part of a cluster's life, not a fault of
    /// this process, so it is one line at info, never a warning with a stack trace.
    /// </summary>
    public static bool IsClusterChurn(LogEvent e)
    {
        if (e.LogLevel() is not (AkkaLogLevel.WarningLevel or AkkaLogLevel.ErrorLevel)) return false;
        if (e.Cause is { } cause && IsTransportFailure(cause)) return true;
        string text = e.Message?.ToString() ?? "";
        return text.StartsWith("Tried to associate with unreachable remote address", StringComparison.Ordinal)
            || (text.StartsWith("Association with remote system", StringComparison.Ordinal) && text.Contains("has failed", StringComparison.Ordinal))
            || (text.StartsWith("Cluster Node [", StringComparison.Ordinal) && text.Contains("- Marking node(s) as UNREACHABLE", StringComparison.Ordinal))
            || text.StartsWith("SBR took decision", StringComparison.Ordinal);
    }

    // A failure of the remote transport itself (an association refused, disassociated, shut down; a socket's error).
    private static bool IsTransportFailure(Exception e) =>
        e.GetType().Namespace is { } space && (space.StartsWith("Akka.Remote", StringComparison.Ordinal) || space.StartsWith("DotNetty", StringComparison.Ordinal) || space == "System.Net.Sockets")
        || (e.InnerException is { } inner && IsTransportFailure(inner));

    private static LogLevel Level(AkkaLogLevel level) => level switch
    {
        AkkaLogLevel.DebugLevel => LogLevel.Debug,
        AkkaLogLevel.InfoLevel => LogLevel.Information,
        AkkaLogLevel.WarningLevel => LogLevel.Warning,
        _ => LogLevel.Error,
    };
}
