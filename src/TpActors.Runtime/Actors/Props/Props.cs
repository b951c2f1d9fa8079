namespace TpActors.Runtime.Actors;

/// <summary>
/// The recipe for an actor: how to make an instance (again, on restart), on which dispatcher and with which mailbox it
/// runs, and how it supervises its children. Immutable; each <c>With…</c> returns a copy.
/// </summary>
public sealed record Props
{
    /// <summary>The dispatcher actors get unless told otherwise (the thread pool).</summary>
    public const string DefaultDispatcherId = "tpactors.actor.default-dispatcher";

    /// <summary>One dedicated thread per actor.</summary>
    public const string PinnedDispatcherId = "tpactors.actor.pinned-dispatcher";

    /// <summary>Turns run on the sending thread; for deterministic tests.</summary>
    public const string CallingThreadDispatcherId = "tpactors.actor.calling-thread-dispatcher";

    /// <summary>The unbounded mailbox actors get unless told otherwise.</summary>
    public const string DefaultMailboxId = "tpactors.actor.default-mailbox";

    /// <summary>A bounded mailbox with the defaults of reference.conf.</summary>
    public const string BoundedMailboxId = "tpactors.actor.bounded-mailbox";

    private Props(Type actorType, Func<ActorBase> factory)
    {
        ActorType = actorType;
        Factory = factory;
    }

    /// <summary>The class of the actor.</summary>
    public Type ActorType { get; }

    /// <summary>Makes a fresh instance; called at start and at every restart.</summary>
    public Func<ActorBase> Factory { get; }

    /// <summary>The config path of the dispatcher section.</summary>
    public string Dispatcher { get; init; } = DefaultDispatcherId;

    /// <summary>The config path of the mailbox section.</summary>
    public string Mailbox { get; init; } = DefaultMailboxId;

    /// <summary>How the actor supervises its children; null means the actor's own <see cref="ActorBase.SupervisorStrategy"/>.</summary>
    public SupervisorStrategy? SupervisorStrategy { get; init; }

    /// <summary>Props for an actor with a parameterless constructor.</summary>
    public static Props Create<TActor>() where TActor : ActorBase, new() => new(typeof(TActor), static () => new TActor());

    /// <summary>Props from a factory, e.g. <c>Props.Create(() =&gt; new Worker(rank))</c>; the factory runs again on every restart.</summary>
    public static Props Create<TActor>(Func<TActor> factory) where TActor : ActorBase
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new(typeof(TActor), factory);
    }

    /// <summary>Props for <typeparamref name="TActor"/> built with the constructor that takes <paramref name="args"/>.</summary>
    /// <exception cref="ArgumentException">No public constructor takes these arguments.</exception>
    public static Props Create<TActor>(params object?[] args) where TActor : ActorBase
    {
        var types = args.Select(a => a?.GetType()).ToArray();
        bool Fits(System.Reflection.ConstructorInfo c)
        {
            var parameters = c.GetParameters();
            return parameters.Length == args.Length && parameters.Zip(types).All(p => p.Second is null
                ? !p.First.ParameterType.IsValueType || Nullable.GetUnderlyingType(p.First.ParameterType) is not null
                : p.First.ParameterType.IsAssignableFrom(p.Second));
        }
        var constructor = typeof(TActor).GetConstructors().FirstOrDefault(Fits)
            ?? throw new ArgumentException(
                $"{typeof(TActor).Name} has no public constructor taking ({string.Join(", ", types.Select(t => t?.Name ?? "null"))}).", nameof(args));
        return new(typeof(TActor), () => (ActorBase)constructor.Invoke(args));
    }

    /// <summary>Runs the actor on the dispatcher configured at <paramref name="dispatcherId"/> (e.g. <see cref="PinnedDispatcherId"/>).</summary>
    public Props WithDispatcher(string dispatcherId) => this with { Dispatcher = dispatcherId ?? throw new ArgumentNullException(nameof(dispatcherId)) };

    /// <summary>Gives the actor the mailbox configured at <paramref name="mailboxId"/> (e.g. <see cref="BoundedMailboxId"/>).</summary>
    public Props WithMailbox(string mailboxId) => this with { Mailbox = mailboxId ?? throw new ArgumentNullException(nameof(mailboxId)) };

    /// <summary>Supervises the actor's children with <paramref name="strategy"/>, whatever the actor's own override says.</summary>
    public Props WithSupervisorStrategy(SupervisorStrategy strategy) => this with { SupervisorStrategy = strategy ?? throw new ArgumentNullException(nameof(strategy)) };

    /// <summary>A short description, e.g. <c>Props(Worker, tpactors.actor.default-dispatcher)</c>.</summary>
    public override string ToString() => $"Props({ActorType.Name}, {Dispatcher}, {Mailbox})";
}
