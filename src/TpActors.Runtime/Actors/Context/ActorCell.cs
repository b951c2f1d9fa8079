using System.Diagnostics;

namespace TpActors.Runtime.Actors;

/// <summary>
/// The runtime side of one actor: its ref, mailbox, current instance, behavior stack, children and watches. It is
/// the actor's <see cref="IActorContext"/>. Split by concern: this file holds the message loop; the partial files
/// beside it hold the lifecycle, children, supervision and DeathWatch.
/// </summary>
/// <remarks>
/// Concurrency: everything here except the children container (guarded by its lock) is touched only by the actor's
/// turn, which the <see cref="Mailbox"/> runs on one thread at a time; the fields need no locks.
/// </remarks>
[DebuggerDisplay("{Self.Path} ({Props.ActorType.Name}), {Mailbox.Count} queued")]
internal sealed partial class ActorCell : IActorContext
{
    /// <summary>The cell whose turn runs on this thread; null outside turns. Gives <c>Tell(message)</c> its implicit sender.</summary>
    [ThreadStatic] private static ActorCell? t_current;

    /// <summary>The cell whose actor instance is being constructed on this thread; read by the <see cref="ActorBase"/> constructor.</summary>
    [ThreadStatic] private static ActorCell? t_constructing;

    private readonly LocalActorRef _self;
    private readonly MessageDispatcher _dispatcher;

    private ActorBase? _actor;                 // null before Create, after a failed creation, and after stop
    private readonly List<Receive> _behaviors = []; // top is current; the bottom one is the instance's Receive

    public ActorCell(ActorSystem system, ActorPath path, Props props, IInternalActorRef? parent, MessageDispatcher dispatcher, Mailbox mailbox)
    {
        System = system;
        Props = props;
        ParentRef = parent;
        _self = new LocalActorRef(path, system.NextUid()) { Cell = this };
        _dispatcher = dispatcher;
        Mailbox = mailbox;
        Stash = new ActorStash(this);
        mailbox.Attach(this, dispatcher);
        dispatcher.Attach(mailbox);
    }

    internal static ActorCell? Current => t_current;

    /// <summary>Marks <paramref name="cell"/> as the cell whose turn runs on this thread; returns the one to restore (a calling-thread turn may run inside another turn).</summary>
    internal static ActorCell? EnterTurn(ActorCell cell)
    {
        var outer = t_current;
        t_current = cell;
        return outer;
    }

    /// <summary>Ends a turn begun by <see cref="EnterTurn"/>.</summary>
    internal static void ExitTurn(ActorCell? outer) => t_current = outer;

    internal static ActorCell? Constructing => t_constructing;

    public ActorSystem System { get; }

    public Props Props { get; }

    public IActorRef Self => _self;

    internal LocalActorRef SelfRef => _self;

    internal IInternalActorRef? ParentRef { get; }

    public IActorRef Parent => ParentRef ?? (IActorRef)_self;

    public IActorRef AddFunctionRef(string name, Action<object, IActorRef?> onMessage)
    {
        ActorNames.Validate(name);
        ArgumentNullException.ThrowIfNull(onMessage);
        return new FunctionRef(_self.Path.Child(name), onMessage);
    }

    internal Mailbox Mailbox { get; }

    internal ActorStash Stash { get; }

    /// <summary>Runs the continuations of this actor's ReceiveAsync handlers with the actor as current; made on first use.</summary>
    internal SynchronizationContext SynchronizationContext => _synchronizationContext ??= new ActorSynchronizationContext(this);

    private ActorSynchronizationContext? _synchronizationContext;

    /// <summary>The message being handled (or, for a ReceiveAsync handler, the one whose task is awaited); null before the first.</summary>
    internal Envelope? CurrentEnvelope { get; private set; }

    internal IActorRef? SenderOrNull => CurrentEnvelope?.Sender;

    public IActorRef Sender => SenderOrNull ?? System.DeadLetters;

    /// <summary>Queues <see cref="Create"/>: the instance is made on the actor's own first turn.</summary>
    internal void Start() => _self.SendSystemMessage(new Create());

    /// <summary>Handles one user message: the runtime's own messages first, then the current behavior; a throw goes to the supervisor.</summary>
    internal void Invoke(Envelope envelope)
    {
        Debug.Assert(t_current == this, "Invoke runs inside this cell's turn (Mailbox.Run).");
        CurrentEnvelope = envelope;
        try
        {
            switch (envelope.Message)
            {
                case PoisonPill:
                    _self.SendSystemMessage(new Terminate());
                    break;
                case Kill:
                    throw new ActorKilledException($"Kill message received by {Self.Path}.");
                case TerminatedNotice notice:
                    // Queued by WatchedActorTerminated; delivered only if the watch was not withdrawn since. The actor
                    // sees (and may stash or forward) the plain Terminated.
                    if (!_terminatedQueued.Remove(notice.Terminated.ActorRef)) break;
                    CurrentEnvelope = new Envelope(notice.Terminated, envelope.Sender);
                    ReceiveMessage(notice.Terminated);
                    break;
                default:
                    ReceiveMessage(envelope.Message);
                    break;
            }
        }
        catch (Exception e)
        {
            HandleInvokeFailure(e, envelope.Message);
        }
    }

    private void ReceiveMessage(object message)
    {
        Debug.Assert(_actor is not null && _behaviors.Count > 0, "User messages flow only while an instance is running.");
        if (!_behaviors[^1](message)) _actor.InvokeUnhandled(message);
    }

    /// <summary>Handles one system message on the actor's turn.</summary>
    internal void SystemInvoke(SystemMessage message)
    {
        Debug.Assert(t_current == this, "SystemInvoke runs inside this cell's turn (Mailbox.Run).");
        try
        {
            switch (message)
            {
                case Create: CreateInstance(); break;
                case Terminate: BeginTerminate(); break;
                case Recreate recreate: FaultRecreate(recreate.Cause); break;
                case Resume: FaultResume(); break;
                case Failed failed: HandleFailed(failed); break;
                case ChildTerminated child: HandleChildTerminated(child.Child); break;
                case Watch watch: AddWatcher(watch); break;
                case Unwatch unwatch: RemoveWatcher(unwatch); break;
                case DeathWatchNotification notification: WatchedActorTerminated(notification.Actor); break;
                default: Debug.Fail($"Unknown system message {message}."); break;
            }
        }
        catch (Exception e)
        {
            HandleInvokeFailure(e, null);
        }
    }

    /// <summary>Answers a system message that reached this actor after it stopped: a watch is answered with Terminated at once; the rest need nothing.</summary>
    internal void HandleDeadSystemMessage(SystemMessage message)
    {
        if (message is Watch watch && !watch.Watcher.Equals(_self)) watch.Watcher.SendSystemMessage(new DeathWatchNotification(_self));
    }

    /// <summary>Suspends the mailbox until a ReceiveAsync handler's task ends.</summary>
    internal void AwaitTask(Task task, object message) => Mailbox.AwaitTask(task, message);

    /// <summary>A ReceiveAsync handler's task failed or was canceled: the actor fails as if the handler had thrown.</summary>
    internal void HandleAsyncFailure(Task task, object message)
    {
        Exception cause = task.Exception is { } aggregate
            ? (aggregate.InnerExceptions.Count == 1 ? aggregate.InnerExceptions[0] : aggregate)
            : new TaskCanceledException(task);
        HandleInvokeFailure(cause, message);
    }

    // --- IActorContext: behaviors and stash ---

    public void Become(Receive behavior, bool discardOld = true)
    {
        ArgumentNullException.ThrowIfNull(behavior);
        if (discardOld && _behaviors.Count > 1) _behaviors.RemoveAt(_behaviors.Count - 1);
        _behaviors.Add(behavior);
    }

    public void Unbecome()
    {
        if (_behaviors.Count > 1) _behaviors.RemoveAt(_behaviors.Count - 1);
    }

    void IActorContext.Stash() => Stash.Stash();

    public void UnstashAll() => Stash.UnstashAll();

    public ActorSelection ActorSelection(string path) => Actors.ActorSelection.Create(System, this, path);

    /// <summary>Makes a fresh instance through the Props factory, binding it to this cell.</summary>
    private ActorBase NewActor()
    {
        t_constructing = this;
        try
        {
            return Props.Factory() ?? throw new InvalidOperationException($"The Props factory of {Self.Path} returned null.");
        }
        catch (global::System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
        {
            // new() and reflection wrap what the constructor threw; the supervisor should see the constructor's own exception.
            global::System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
        finally
        {
            t_constructing = null;
        }
    }

    private void ResetBehaviors(ActorBase? actor)
    {
        _behaviors.Clear();
        if (actor is not null) _behaviors.Add(actor.InvokeReceive);
    }

    private void PublishError(string message, Exception? cause) => System.EventStream.Publish(new Error(Self.Path.ToString(), message, cause));

    public override string ToString() => $"ActorCell({Self.Path})";
}
