using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace TpActors.Runtime.Tests.Actors;

public sealed class LoggingTests
{
    /// <summary>An ILoggerFactory that keeps every formatted line.</summary>
    private sealed class CapturingLoggerFactory : ILoggerFactory, ILogger
    {
        public ConcurrentQueue<(LogLevel Level, string Line)> Lines { get; } = new();

        /// <summary>Released once per line written.</summary>
        public SemaphoreSlim LineWritten { get; } = new(0);

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider) { }

        public void Dispose() { }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            Lines.Enqueue((logLevel, formatter(state, exception)));
            LineWritten.Release();
        }
    }

    private sealed class Chatty : ReceiveActor
    {
        public Chatty()
        {
            var log = Context.GetLogger();
            Receive<string>(s =>
            {
                log.LogInformation("working on {Item}", s);
                if (s == "fail") throw new InvalidOperationException("chatty failed");
                Sender.Tell("logged", Self);
            });
        }
    }

    [Fact]
    public async Task ActorLogger_EveryLineStartsWithTheActorPath_ErrorsAndDeadLettersLogged()
    {
        var logs = new CapturingLoggerFactory();
        var system = ActorSystem.Create("logging", setup: new ActorSystemSetup { LoggerFactory = logs });
        try
        {
            var chatty = system.ActorOf(Props.Create<Chatty>(), "chatty");
            Assert.Equal("logged", await chatty.Ask<string>("hello", TimeSpan.FromSeconds(10)));
            chatty.Tell("fail", null);
            await WaitFor(logs, l => l.Level == LogLevel.Error, "the failure is logged as an error");
            system.DeadLetters.Tell("lost", null);
            await WaitFor(logs, l => l.Line.Contains("was not delivered"), "the dead letter is logged");

            Assert.Contains(logs.Lines, l => l.Line == "[tpactors://logging/user/chatty] working on hello");
            Assert.Contains(logs.Lines, l => l.Level == LogLevel.Error && l.Line.StartsWith("[tpactors://logging/user/chatty]") && l.Line.Contains("chatty failed"));
            Assert.All(logs.Lines, l => Assert.StartsWith("[tpactors://logging/", l.Line));
        }
        finally
        {
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    // Waits on the logger's signal (one release per line) until a line matches, for at most 10 s.
    private static async Task WaitFor(CapturingLoggerFactory logs, Func<(LogLevel Level, string Line), bool> matches, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!logs.Lines.Any(matches))
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await logs.LineWritten.WaitAsync(left)) break;
        }
        Assert.True(logs.Lines.Any(matches), $"expected within 10 s: {what}");
    }
}
