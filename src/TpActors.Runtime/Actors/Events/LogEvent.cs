using Microsoft.Extensions.Logging;

namespace TpActors.Runtime.Actors;

/// <summary>Something the runtime reports about an actor: published on the event stream and written to the system's logger.</summary>
/// <param name="Level">How serious it is.</param>
/// <param name="LogSource">The path of the actor it is about.</param>
/// <param name="Message">What happened, in a sentence.</param>
/// <param name="Cause">The exception, when there is one.</param>
public abstract record LogEvent(LogLevel Level, string LogSource, string Message, Exception? Cause);

/// <summary>An actor failed (its supervisor restarted, stopped or escalated it), or a lifecycle hook threw.</summary>
/// <param name="LogSource">The path of the failed actor.</param>
/// <param name="Message">What happened, naming the message being handled when there was one.</param>
/// <param name="Cause">The exception.</param>
public sealed record Error(string LogSource, string Message, Exception? Cause) : LogEvent(LogLevel.Error, LogSource, Message, Cause);

/// <summary>Something worth knowing that did not stop anything, e.g. a failure its supervisor answered with Resume.</summary>
/// <param name="LogSource">The path of the actor it is about.</param>
/// <param name="Message">What happened.</param>
/// <param name="Cause">The exception, when there is one.</param>
public sealed record Warning(string LogSource, string Message, Exception? Cause) : LogEvent(LogLevel.Warning, LogSource, Message, Cause);
