using Microsoft.Extensions.Logging;

namespace TpActors.Runtime.Actors;

/// <summary>An <see cref="ILogger"/> that starts every line with the actor's path, e.g. <c>[tpactors://sys/user/rank-0] …</c>.</summary>
internal sealed class ActorPathLogger(ILogger inner, ActorPath path) : ILogger
{
    private readonly string _prefix = $"[{path}] ";

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!inner.IsEnabled(logLevel)) return;
        string prefix = _prefix;
        inner.Log(logLevel, eventId, state, exception, (s, e) => prefix + formatter(s, e));
    }
}
