using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TpActors.Runtime.Configuration;

namespace TpActors.Runtime.Actors;

/// <summary>
/// A named hierarchy of actors with its configuration, dispatchers, scheduler, event stream and dead letters.
/// Top-level actors live under <c>/user</c>, the runtime's own under <c>/system</c>; <see cref="Terminate"/> stops
/// them all, children before parents.
/// </summary>
[DebuggerDisplay("ActorSystem {Name}")]
public sealed class ActorSystem : IActorRefFactory, IDisposable
{
    private readonly ActorCell _root;
    private readonly ActorCell _userGuardian;
    private readonly ActorCell _systemGuardian;
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SystemScheduler? _ownScheduler;
    private long _nextUid;
    private long _nextTempNumber;
    private int _terminateCalled;   // 0 until the first Terminate, then 1

    private ActorSystem(string name, Config config, ActorSystemSetup setup)
    {
        Name = name;
        Config = config;
        Settings = ActorSettings.From(config);
        LoggerFactory = setup.LoggerFactory ?? NullLoggerFactory.Instance;
        Scheduler = setup.Scheduler ?? (_ownScheduler = new SystemScheduler(TimeProvider.System));
        EventStream = new EventStream();
        Dispatchers = new Dispatchers(config);
        Mailboxes = new Mailboxes(config);
        var rootPath = ActorPath.Root(name);
        DeadLetterRef = new DeadLetterActorRef(rootPath.Child("deadLetters"), EventStream);
        RuntimeEventLogger.Subscribe(this);

        var rootProps = Props.Create<RootGuardianActor>().WithSupervisorStrategy(SupervisorStrategy.StoppingStrategy);
        _root = new ActorCell(this, rootPath, rootProps, parent: null, Dispatchers.Lookup(rootProps.Dispatcher), Mailboxes.Create(rootProps.Mailbox));
        // The guardians exist before the root starts, so that its PreStart finds them to watch.
        _userGuardian = ((LocalActorRef)_root.ActorOf(Props.Create<GuardianActor>(), "user")).Cell;
        _systemGuardian = ((LocalActorRef)_root.ActorOf(Props.Create<GuardianActor>(), "system")).Cell;
        _root.Start();
    }

    /// <summary>Starts an actor system.</summary>
    /// <param name="name">The system's name, the host part of every path (<c>tpactors://{name}/user/…</c>): letters, digits, '-' and '_'.</param>
    /// <param name="config">The configuration (e.g. <see cref="LoadedConfig.Config"/>); what it leaves out comes from reference.conf.</param>
    /// <exception cref="ConfigException">The <c>tpactors</c> section has an unknown key or a value of the wrong type.</exception>
    /// <param name="setup">Services to use instead of the system's own (logging, scheduler).</param>
    public static ActorSystem Create(string name, Config? config = null, ActorSystemSetup? setup = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name.AsSpan().ContainsAnyExcept(SystemNameCharacters))
            throw new ArgumentException($"Actor system name '{name}' is not valid: use letters, digits, '-' and '_' only, at least one.", nameof(name));
        var full = (config ?? Config.Empty).WithFallback(ConfigFactory.Reference).Resolve();
        var warnings = ConfigLoader.Check(full); // a typo in a tpactors key fails here, naming the key, before anything starts
        var system = new ActorSystem(name, full, setup ?? new ActorSystemSetup());
        var logger = system.LoggerFactory.CreateLogger("TpActors.Runtime.Configuration");
        foreach (var warning in warnings) logger.LogWarning("{Warning}", warning);
        return system;
    }

    private static readonly System.Buffers.SearchValues<char> SystemNameCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");

    /// <summary>The system's name.</summary>
    public string Name { get; }

    /// <summary>The full configuration, reference.conf included.</summary>
    public Config Config { get; }

    /// <summary>The <c>tpactors.actor</c> settings.</summary>
    public ActorSettings Settings { get; }

    /// <summary>Where the runtime and the actors log (see <see cref="ActorLoggingExtensions.GetLogger"/>).</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>The scheduler: timers, Ask timeouts.</summary>
    public IScheduler Scheduler { get; }

    /// <summary>The event stream: dead letters, unhandled messages, errors, and application events.</summary>
    public EventStream EventStream { get; }

    /// <summary><c>/deadLetters</c>: messages sent here are published as <see cref="DeadLetter"/>.</summary>
    public IActorRef DeadLetters => DeadLetterRef;

    /// <summary>Completes when the system has terminated: every actor has stopped and run PostStop.</summary>
    public Task WhenTerminated => _terminated.Task;

    /// <summary>Whether <see cref="Terminate"/> has been called.</summary>
    public bool IsTerminating => Volatile.Read(ref _terminateCalled) == 1;

    internal DeadLetterActorRef DeadLetterRef { get; }

    internal Dispatchers Dispatchers { get; }

    internal Mailboxes Mailboxes { get; }

    internal ActorCell RootCell => _root;

    /// <summary>Starts a top-level actor under <c>/user</c>.</summary>
    public IActorRef ActorOf(Props props, string? name = null) => _userGuardian.ActorOf(props, name);

    /// <summary>Starts one of the runtime's own actors under <c>/system</c>.</summary>
    internal IActorRef SystemActorOf(Props props, string? name = null) => _systemGuardian.ActorOf(props, name);

    /// <summary>A selection by path: absolute (<c>/user/a</c>, <c>tpactors://{name}/user/a</c>) or relative to <c>/user</c>.</summary>
    public ActorSelection ActorSelection(string path) => Actors.ActorSelection.Create(this, _userGuardian, path);

    /// <summary>Stops an actor; its children stop first.</summary>
    public void Stop(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor is IInternalActorRef target) target.SendSystemMessage(new Terminate());
    }

    /// <summary>
    /// Stops every actor, children before parents (each runs PostStop), then completes <see cref="WhenTerminated"/>.
    /// Calling it again returns the same task.
    /// </summary>
    public Task Terminate()
    {
        if (Interlocked.Exchange(ref _terminateCalled, 1) == 0) _userGuardian.SelfRef.SendSystemMessage(new Terminate());
        return WhenTerminated;
    }

    /// <summary>Terminates the system and waits for it.</summary>
    public void Dispose() => Terminate().GetAwaiter().GetResult();

    internal long NextUid() => Interlocked.Increment(ref _nextUid);

    internal ActorPath NewTempPath() => _root.Self.Path.Child("temp").Child(ActorNames.Generated(Interlocked.Increment(ref _nextTempNumber)));

    /// <summary>Called by the root guardian's cell once it has stopped: the last actor.</summary>
    internal void OnRootTerminated()
    {
        Interlocked.Exchange(ref _terminateCalled, 1);
        _ownScheduler?.CancelAll();
        Dispatchers.Shutdown();
        _terminated.TrySetResult();
    }

    /// <summary>The system's name and path.</summary>
    public override string ToString() => $"ActorSystem({Name})";
}
