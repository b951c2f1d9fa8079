using Akka.Actor;
using Akka.Actor.Setup;
using LogFilterBuilder = Akka.Event.LogFilterBuilder;
using LogFilterSetup = Akka.Event.LogFilterSetup;
using Microsoft.Extensions.Logging;
using TpActors.Runtime.Configuration;

namespace TpActors.Runtime.Cluster;

/// <summary>
/// Creates the one Akka <see cref="ActorSystem"/> a command runs in, from the loader's resolved configuration (see
/// <see cref="AkkaConfiguration"/>): a user's <c>akka { … }</c> and <c>-D akka.…</c> reach Akka exactly as resolved, and
/// Akka's log goes to <see cref="ILoggerFactory"/> (by default, one line per event on stderr).
/// </summary>
public static class AkkaBootstrap
{
    /// <summary>An actor system named <paramref name="name"/> running with <paramref name="config"/>.</summary>
    /// <param name="name">The system's name (the address's system part).</param>
    /// <param name="config">The loaded configuration (reference.conf under the user's file and -D overrides).</param>
    /// <param name="logging">Where Akka's log goes; null for stderr, closed when the system terminates.</param>
    /// <param name="extra">A further setup (the cluster's TLS), or null.</param>
    /// <exception cref="ConfigException">A value under <c>akka</c> that Akka cannot hold as written, or one Akka refused to start with (named with its origin).</exception>
    public static ActorSystem Create(string name, HoconConfig config, ILoggerFactory? logging = null, Setup? extra = null)
    {
        var akkaConfig = AkkaConfiguration.From(config);
        var owned = logging is null ? Stderr() : null;
        var setup = BootstrapSetup.Create().WithConfig(akkaConfig).And(new LogForwardingSetup(logging ?? owned!)).And(LogFilter(config));
        if (extra is not null) setup = setup.And(extra);
        ActorSystem system;
        try
        {
            system = ActorSystem.Create(name, setup);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            owned?.Dispose();
            throw AkkaConfiguration.Refused(config, e);
        }
        if (owned is not null) system.RegisterOnTermination(owned.Dispose);
        return system;
    }

    // Akka's own log filter: above DEBUG it drops Akka.Remote's DotNetty warning that, as a member's system terminates
    // after it has left the cluster, a closed channel could not be removed from its connection group (every driver's
    // clean exit said so).
    private static LogFilterSetup LogFilter(HoconConfig config)
    {
        var filters = new LogFilterBuilder();
        bool debug = config.HasPath("akka.loglevel") && string.Equals(config.GetString("akka.loglevel"), "DEBUG", StringComparison.OrdinalIgnoreCase);
        if (!debug) filters.ExcludeMessageContaining("Unable to REMOVE channel");
        return filters.Build();
    }

    /// <summary>
    /// A logger factory that writes every event it is given to stderr, one line each; Akka's loglevel is the filter. It is
    /// built at its first logger: a command that logs nothing (the default, WARNING) does not pay for building it.
    /// </summary>
    public static ILoggerFactory Stderr() => new DeferredLoggerFactory(() => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(LogLevel.Trace)
        .AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace)
        .AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = "HH:mm:ss.fff ";
        })));

    // Builds the real factory at the first CreateLogger; disposing disposes it if it was built.
    private sealed class DeferredLoggerFactory(Func<ILoggerFactory> create) : ILoggerFactory
    {
        private readonly Lazy<ILoggerFactory> _factory = new(create, LazyThreadSafetyMode.ExecutionAndPublication);

        public ILogger CreateLogger(string categoryName) => _factory.Value.CreateLogger(categoryName);

        public void AddProvider(ILoggerProvider provider) => _factory.Value.AddProvider(provider);

        public void Dispose()
        {
            if (_factory.IsValueCreated) _factory.Value.Dispose();
        }
    }
}

/// <summary>The <see cref="ILoggerFactory"/> an actor system's <see cref="AkkaLogForwarder"/> writes to.</summary>
public sealed class LogForwardingSetup(ILoggerFactory loggerFactory) : Setup
{
    /// <summary>Where Akka's log events go.</summary>
    public ILoggerFactory LoggerFactory { get; } = loggerFactory;
}
