namespace TpActors.Runtime.Actors;

// The children container: the only state of a cell that other threads touch (ActorOf on the system, lookups by
// ActorSelection), so it is guarded by its own lock. Names stay taken until the child's ChildTerminated arrives.
internal sealed partial class ActorCell
{
    private readonly Lock _childrenLock = new();
    private readonly Dictionary<string, ChildRestartStats> _children = new(StringComparer.Ordinal);
    private long _nextChildNumber;

    public IReadOnlyList<IActorRef> Children => ChildrenSnapshot();

    public IActorRef Child(string name) => TryGetChild(name) ?? ActorRefs.Nobody;

    internal LocalActorRef? TryGetChild(string name)
    {
        lock (_childrenLock) return _children.TryGetValue(name, out var stats) ? (LocalActorRef)stats.Child : null;
    }

    internal IReadOnlyList<LocalActorRef> ChildrenSnapshot()
    {
        lock (_childrenLock) return _children.Values.Select(c => (LocalActorRef)c.Child).ToArray();
    }

    public IActorRef ActorOf(Props props, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(props);
        if (name is not null) ActorNames.Validate(name);
        // Look both up before taking the lock: a bad dispatcher or mailbox setting throws here, and nothing is reserved.
        var dispatcher = System.Dispatchers.Lookup(props.Dispatcher);
        var mailbox = System.Mailboxes.Create(props.Mailbox);
        ActorCell child;
        lock (_childrenLock)
        {
            if (_isTerminating)
                throw new InvalidOperationException($"{Self.Path} is stopping, so it cannot start a child{(name is null ? "" : $" named '{name}'")}.");
            name ??= ActorNames.Generated(_nextChildNumber++);
            if (_children.ContainsKey(name))
                throw new InvalidActorNameException($"Actor name '{name}' is not unique: {Self.Path}/{name} is a live actor (a name is free again once its actor has stopped).");
            child = new ActorCell(System, Self.Path.Child(name), props, _self, dispatcher, mailbox);
            _children.Add(name, new ChildRestartStats(child.SelfRef));
        }
        child.Start();
        return child.Self;
    }

    public void Stop(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor is not IInternalActorRef target) return;
        lock (_childrenLock)
        {
            if (_children.TryGetValue(actor.Path.Name, out var stats) && stats.Child.Equals(actor)) stats.StopRequested = true;
        }
        target.SendSystemMessage(new Terminate());
    }

    /// <summary>Marks every child as stopping and returns them; the caller holds the lock.</summary>
    private IReadOnlyList<IInternalActorRef> StopRequestedForAll()
    {
        foreach (var stats in _children.Values) stats.StopRequested = true;
        return _children.Values.Select(c => c.Child).ToArray();
    }

    /// <summary>Whether a child this cell asked to stop has not finished stopping; a restart waits for those.</summary>
    private bool HasStoppingChildren()
    {
        lock (_childrenLock) return _children.Values.Any(c => c.StopRequested);
    }

    private ChildRestartStats? FindChild(IActorRef child)
    {
        lock (_childrenLock) return _children.TryGetValue(child.Path.Name, out var stats) && stats.Child.Equals(child) ? stats : null;
    }

    private IReadOnlyCollection<ChildRestartStats> ChildStats()
    {
        lock (_childrenLock) return _children.Values.ToArray();
    }
}
