using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;
using Microsoft.Extensions.Logging;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;
using TpActors.Runtime.Cluster;
using TpActors.Runtime.Configuration;

namespace TpActors.Runtime.Tests.Cluster;

/// <summary>Akka's actor system built from the loader's resolved tree: what a file and -D set is what Akka reads.</summary>
public sealed class AkkaBootstrapTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task FileAndOverrides_ReachAkkasOwnSettings()
    {
        var file = _dir.Write("user.conf", "akka.actor.default-dispatcher.throughput = 7\nakka { actor.ask-timeout = 3s }");
        var loaded = ConfigLoader.Load(file, ["akka.loglevel=ERROR"]);
        using var system = AkkaBootstrap.Create("bootstrap", loaded.Config, new CapturingLoggers());

        Assert.Equal("ERROR", system.Settings.LogLevel);
        Assert.Equal(TimeSpan.FromSeconds(3), system.Settings.AskTimeout);
        Assert.Equal(7, system.Dispatchers.Lookup("akka.actor.default-dispatcher").Throughput);
        // What reference.conf sets for Akka, and Akka's own defaults beneath it.
        Assert.Equal("OFF", system.Settings.StdoutLogLevel);
        Assert.Equal([typeof(AkkaLogForwarder).FullName + ", TpActors.Runtime"], system.Settings.Loggers);
        Assert.Equal(TimeSpan.FromSeconds(20), system.Settings.CreationTimeout);
        await system.Terminate();
    }

    [Fact]
    public void EveryValue_ReadsBackThroughAkka_AsTheLoaderResolvedIt()
    {
        var file = _dir.Write("values.conf", """
            base = "inner spaces, unicode: größe ✓"
            akka.test-values {
              text = ${base}
              number = 1e3
              integer = -42
              flag = on
              duration = 250ms
              size = 4 MiB
              list = [a, "b c", 3]
              nested { deeper { leaf = x } }
              "quoted.key" = q
              cleared = null
            }
            """);
        var resolved = ConfigLoader.Load(file).Config;
        var akka = AkkaConfiguration.From(resolved);
        foreach (var path in new[] { "text", "number", "integer", "flag", "duration", "size", "nested.deeper.leaf" })
            Assert.Equal(resolved.GetString("akka.test-values." + path), akka.GetString("akka.test-values." + path));
        Assert.Equal(resolved.GetStringList("akka.test-values.list"), akka.GetStringList("akka.test-values.list"));
        Assert.Equal(-42, akka.GetInt("akka.test-values.integer"));
        Assert.True(akka.GetBoolean("akka.test-values.flag"));
        Assert.Equal(TimeSpan.FromMilliseconds(250), akka.GetTimeSpan("akka.test-values.duration"));
        Assert.Equal(4L * 1024 * 1024, akka.GetByteSize("akka.test-values.size"));
        // A quoted key with a dot stays one key (Akka reads such keys by enumerating, as it does serialization bindings).
        Assert.Contains(akka.GetConfig("akka.test-values").AsEnumerable(), kv => kv.Key == "quoted.key" && kv.Value.GetString() == "q");
        // Akka has no null: the key is left out, so Akka's default (here: none) applies.
        Assert.False(akka.HasPath("akka.test-values.cleared"));
    }

    [Fact]
    public void AStringAkkaWouldTrim_IsRefused_WithItsOrigin()
    {
        var file = _dir.Write("spaces.conf", "akka {\n  loglevel = \" INFO\"\n}");
        var error = Assert.Throws<ConfigTypeException>(() => AkkaConfiguration.From(ConfigLoader.Load(file).Config));
        Assert.Equal("akka.loglevel", error.Path);
        Assert.Contains("spaces.conf:2:14", error.Message);
        Assert.Contains("Akka reads strings trimmed", error.Message);
        // Outside `akka` Akka reads nothing, so the same value is passed through untouched.
        var elsewhere = _dir.Write("elsewhere.conf", "app.name = \" padded \"");
        Assert.Equal(" padded ", ConfigLoader.Load(elsewhere).Config.GetString("app.name"));
        AkkaConfiguration.From(ConfigLoader.Load(elsewhere).Config);
    }

    [Fact]
    public async Task AkkasLog_GoesToTheLoggerFactory_FilteredByAkkaLoglevel()
    {
        var loggers = new CapturingLoggers();
        using var system = AkkaBootstrap.Create("logging", ConfigLoader.Load(null, ["akka.loglevel=INFO"]).Config, loggers);
        system.Log.Info("ready with {0} ranks", 4);
        system.Log.Debug("below the level");
        await AwaitLine(loggers, "ready with 4 ranks");

        var line = loggers.Lines.First(l => l.Message.Contains("ready with 4 ranks"));
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.DoesNotContain(loggers.Lines, l => l.Message.Contains("below the level"));
        await system.Terminate();
    }

    [Fact]
    public async Task ClusterChurn_IsOneInfoLineWithoutAStackTrace_AndHiddenAtWarning_WhileOtherWarningsStay()
    {
        foreach (string level in new[] { "INFO", "WARNING" })
        {
            var loggers = new CapturingLoggers();
            using var system = AkkaBootstrap.Create("churn", ConfigLoader.Load(null, [$"akka.loglevel={level}"]).Config, loggers);
            // What Akka.Remote says when a driver leaves (the host's side) and when a host has died (the driver's side).
            system.EventStream.Publish(new Akka.Event.Error(Disassociated(), "endpointWriter", typeof(object),
                "Disassociated from akka.tcp://tpactors@127.0.0.1:1"));
            system.EventStream.Publish(new Akka.Event.Warning("remoting", typeof(object),
                "Tried to associate with unreachable remote address [akka.tcp://tpactors@127.0.0.1:2]. Reason: [Connection refused]"));
            // What Akka.Cluster says when a host has died: its failure detector's verdict, then the split-brain resolver's.
            system.EventStream.Publish(new Akka.Event.Warning("akka.tcp://tpactors@127.0.0.1:5/system/cluster/core/daemon", typeof(object),
                "Cluster Node [akka.tcp://tpactors@127.0.0.1:5] - Marking node(s) as UNREACHABLE [Member(address = akka.tcp://tpactors@127.0.0.1:3, status = Up)]. Node roles [driver]"));
            system.EventStream.Publish(new Akka.Event.Warning("akka.tcp://tpactors@127.0.0.1:5/system/cluster/core/daemon/downingProvider", typeof(object),
                "SBR took decision Akka.Cluster.SBR.DownUnreachable and is downing [akka.tcp://tpactors@127.0.0.1:4], [1] unreachable of [3] members"));
            system.Log.Warning(new InvalidOperationException("its own"), "a warning of this process's own");
            await AwaitLine(loggers, "a warning of this process's own");
            var lines = loggers.Lines;
            Assert.Equal(LogLevel.Warning, lines.Single(l => l.Message.Contains("of this process's own")).Level);
            Assert.NotNull(lines.Single(l => l.Message.Contains("of this process's own")).Cause); // its own keep their stack traces
            if (level == "WARNING")
            {
                Assert.DoesNotContain(lines, l => l.Message.Contains("127.0.0.1:1") || l.Message.Contains("127.0.0.1:2")
                    || l.Message.Contains("127.0.0.1:3") || l.Message.Contains("127.0.0.1:4"));
                continue;
            }
            await AwaitLine(loggers, "127.0.0.1:2");
            var left = lines.Concat(loggers.Lines).First(l => l.Message.Contains("127.0.0.1:1"));
            Assert.Equal((LogLevel.Information, null), (left.Level, left.Cause));
            Assert.EndsWith("(EndpointDisassociatedException: Disassociated)", left.Message);
            Assert.Equal(LogLevel.Information, loggers.Lines.First(l => l.Message.Contains("127.0.0.1:2")).Level);
            await AwaitLine(loggers, "127.0.0.1:4");
            Assert.Equal(LogLevel.Information, loggers.Lines.First(l => l.Message.Contains("127.0.0.1:3")).Level);
            Assert.Equal(LogLevel.Information, loggers.Lines.First(l => l.Message.Contains("127.0.0.1:4")).Level);
            await system.Terminate();
        }
    }

    // Akka.Remote's own exception for a connection the peer closed (internal to Akka.Remote, so made by name).
    private static Exception Disassociated() => (Exception)Activator.CreateInstance(
        typeof(Akka.Remote.RemoteActorRefProvider).Assembly.GetType("Akka.Remote.EndpointDisassociatedException", throwOnError: true)!,
        System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic, null, ["Disassociated"], null)!;

    private static async Task AwaitLine(CapturingLoggers loggers, string text)
    {
        // Akka's logging is asynchronous: poll for the line, with a bound so that a lost line fails the test.
        for (int i = 0; i < 500 && !loggers.Lines.Any(l => l.Message.Contains(text)); i++) await Task.Delay(10);
        Assert.Contains(loggers.Lines, l => l.Message.Contains(text));
    }

    /// <summary>An <see cref="ILoggerFactory"/> that keeps every line it is given.</summary>
    private sealed class CapturingLoggers : ILoggerFactory
    {
        public ConcurrentQueue<(string Category, LogLevel Level, string Message, Exception? Cause)> Queue { get; } = new();

        public IReadOnlyList<(string Category, LogLevel Level, string Message, Exception? Cause)> Lines => [.. Queue];

        public ILogger CreateLogger(string categoryName) => new Category(this, categoryName);

        public void AddProvider(ILoggerProvider provider) { }

        public void Dispose() { }

        private sealed class Category(CapturingLoggers owner, string name) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Queue.Enqueue((name, logLevel, formatter(state, exception), exception));
        }
    }
}
