using System.Collections.Concurrent;
using System.Diagnostics;

namespace TpActors.Runtime.Actors;

/// <summary>
/// An actor's two queues (system and user messages) and the state machine that gives the actor its turns.
/// Many threads post; at most one thread runs a turn at a time, and that thread alone touches the fields marked "turn-only".
/// </summary>
/// <remarks>
/// A turn: system messages first, then at most <c>throughput</c> user messages, re-checking system messages between
/// every two, so that a stop or a supervisor's decision overtakes queued work. Then the mailbox goes Idle and re-checks
/// its queues: a message that was posted while the turn was ending is never stranded (see <see cref="Run"/>).
/// The mailbox is its own thread-pool work item, so scheduling a turn allocates nothing.
/// </remarks>
[DebuggerDisplay("{DebuggerStatus,nq}, {_user.Count} user message(s)")]
internal sealed class Mailbox : IThreadPoolWorkItem
{
    /// <summary>No turn is queued or running; a post may schedule one.</summary>
    private const int Idle = 0;

    /// <summary>A turn is queued on the dispatcher or running. Only the turn itself moves the mailbox back to Idle.</summary>
    private const int Scheduled = 1;

    /// <summary>Idle or Scheduled; moved Idle→Scheduled by one compare-and-swap in <see cref="Schedule"/>, and back by the turn.</summary>
    private int _status;

    /// <summary>Set once, when the actor has stopped; from then on every post goes to dead letters.</summary>
    private volatile bool _closed;

    /// <summary>Set by the awaited task's continuation when that task has ended; cleared by the turn that picks it up.</summary>
    private int _awaitedTaskEnded;

    private readonly IMessageQueue _user;
    private readonly ConcurrentQueue<SystemMessage> _system = new();

    // Turn-only state.
    private int _suspendCount;                 // > 0: user messages wait (failure awaiting the supervisor, restart in progress)
    private Task? _awaitedTask;                // a ReceiveAsync handler's task: nothing at all is processed until it ends
    private object? _awaitedMessage;           // the message whose handler returned _awaitedTask
    private LinkedList<Envelope>? _unstashed;  // messages put back in front of the user queue by UnstashAll

    private ActorCell _cell = null!;
    private MessageDispatcher _dispatcher = null!;
    private int _throughput;

    public Mailbox(IMessageQueue user) => _user = user;

    /// <summary>Whether the actor has stopped.</summary>
    public bool IsClosed => _closed;

    /// <summary>The path of the actor this mailbox serves.</summary>
    public ActorPath ActorPath => _cell.Self.Path;

    /// <summary>User messages waiting, stashed ones put back included; for diagnostics.</summary>
    public int Count => _user.Count + (_unstashed?.Count ?? 0);

    private string DebuggerStatus => _closed ? "closed" : _awaitedTask is not null ? "awaiting" : _suspendCount > 0 ? "suspended" : _status == Idle ? "idle" : "scheduled";

    /// <summary>Binds the mailbox to its cell and dispatcher; called once, before the first post.</summary>
    public void Attach(ActorCell cell, MessageDispatcher dispatcher)
    {
        _cell = cell;
        _dispatcher = dispatcher;
        _throughput = dispatcher.Throughput;
    }

    /// <summary>Queues a user message and makes sure a turn will see it; a message for a stopped actor goes to dead letters.</summary>
    public void Post(in Envelope envelope)
    {
        if (_closed || !_user.TryEnqueue(envelope))
        {
            _cell.System.DeadLetterRef.Publish(envelope.Message, envelope.Sender, _cell.Self);
            return;
        }
        // The enqueue above is an interlocked write, so this read cannot move before it; Close writes _closed before
        // draining. Either this post sees the close and drains, or the closing turn's drain sees the message.
        if (_closed) DrainUserMessagesToDeadLetters();
        else Schedule();
    }

    /// <summary>Queues a system message; a message for a stopped actor is answered as the dead answer (see <see cref="ActorCell.HandleDeadSystemMessage"/>).</summary>
    public void PostSystem(SystemMessage message)
    {
        _system.Enqueue(message);
        if (_closed) DrainSystemMessagesAsDead(); // same ordering argument as in Post
        else Schedule();
    }

    /// <summary>Gives the mailbox a turn unless it already has one queued or running.</summary>
    public void Schedule()
    {
        // The plain read first spares many senders to a busy actor a contended compare-and-swap each. It may be stale;
        // a stale Scheduled is safe, because the turn re-checks the queues after its full-fence move to Idle (see Run).
        if (Volatile.Read(ref _status) == Idle && Interlocked.CompareExchange(ref _status, Scheduled, Idle) == Idle) _dispatcher.Dispatch(this);
    }

    void IThreadPoolWorkItem.Execute() => Run();

    /// <summary>One turn. Runs on a dispatcher thread while the mailbox is Scheduled, so never on two threads at once.</summary>
    public void Run()
    {
        Debug.Assert(Volatile.Read(ref _status) == Scheduled, "A turn runs only while the mailbox is Scheduled, so no other turn is running.");
        var outer = ActorCell.EnterTurn(_cell);
        try
        {
            if (_awaitedTask is null || FinishAwaitedTask())
            {
                ProcessSystemMessages();
                for (int left = _throughput; left > 0 && CanProcessUserMessages && TryDequeueUser(out var envelope); left--)
                {
                    _cell.Invoke(envelope);
                    if (!_system.IsEmpty) ProcessSystemMessages();
                }
            }
        }
        finally
        {
            ActorCell.ExitTurn(outer);
        }
        // Exchange is a full fence: a post that found the mailbox still Scheduled (and so queued no turn) had enqueued
        // before it looked, so HasWork below sees its message and schedules the turn that post did not.
        Interlocked.Exchange(ref _status, Idle);
        if (HasWork) Schedule();
    }

    private bool CanProcessUserMessages => _suspendCount == 0 && _awaitedTask is null && !_closed;

    private bool HasWork => _awaitedTask is not null
        ? Volatile.Read(ref _awaitedTaskEnded) == 1
        : !_system.IsEmpty || (_suspendCount == 0 && !_closed && (_unstashed is { Count: > 0 } || _user.HasMessages));

    private bool TryDequeueUser(out Envelope envelope)
    {
        if (_unstashed is { Count: > 0 } unstashed)
        {
            envelope = unstashed.First!.Value;
            unstashed.RemoveFirst();
            return true;
        }
        return _user.TryDequeue(out envelope);
    }

    private void ProcessSystemMessages()
    {
        while (_awaitedTask is null && _system.TryDequeue(out var message))
        {
            if (_closed) _cell.HandleDeadSystemMessage(message);
            else _cell.SystemInvoke(message);
        }
    }

    // --- suspension (turn-only) ---

    /// <summary>Stops user messages until a matching <see cref="Resume"/>; system messages still flow.</summary>
    public void Suspend() => _suspendCount++;

    /// <summary>Undoes one <see cref="Suspend"/>.</summary>
    public void Resume()
    {
        Debug.Assert(_suspendCount > 0, "Resume matches an earlier Suspend.");
        if (_suspendCount > 0) _suspendCount--;
    }

    /// <summary>Whether user messages are held back for a failure or a restart.</summary>
    public bool IsSuspended => _suspendCount > 0;

    // --- ReceiveAsync (turn-only, except the continuation) ---

    /// <summary>Holds every message, system ones included, until <paramref name="task"/> ends; then the next turn handles its outcome first.</summary>
    public void AwaitTask(Task task, object message)
    {
        Debug.Assert(_awaitedTask is null, "A turn starts no new handler while one is awaited.");
        _awaitedTask = task;
        _awaitedMessage = message;
        Volatile.Write(ref _awaitedTaskEnded, 0);
        task.ContinueWith(static (_, state) =>
        {
            var mailbox = (Mailbox)state!;
            // Written before Schedule's full-fence compare-and-swap; the turn reads it after its own fence (see Run).
            Volatile.Write(ref mailbox._awaitedTaskEnded, 1);
            mailbox.Schedule();
        }, this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    // True when the awaited task has ended and the turn may go on.
    private bool FinishAwaitedTask()
    {
        if (Volatile.Read(ref _awaitedTaskEnded) == 0) return false;
        var task = _awaitedTask!;
        var message = _awaitedMessage;
        _awaitedTask = null;
        _awaitedMessage = null;
        if (!task.IsCompletedSuccessfully) _cell.HandleAsyncFailure(task, message!);
        return true;
    }

    // --- stash and termination (turn-only) ---

    /// <summary>Puts messages back in front of the user queue, in their order.</summary>
    public void Prepend(IReadOnlyList<Envelope> envelopes)
    {
        if (envelopes.Count == 0) return;
        _unstashed ??= new LinkedList<Envelope>();
        for (int i = envelopes.Count - 1; i >= 0; i--) _unstashed.AddFirst(envelopes[i]);
    }

    /// <summary>Marks the actor stopped and sends everything still queued to dead letters (system messages are answered as the dead answer).</summary>
    public void Close()
    {
        _closed = true;
        // A full fence between the write above and the drains below, mirrored in Post and PostSystem.
        Interlocked.MemoryBarrier();
        if (_unstashed is { } unstashed)
        {
            foreach (var envelope in unstashed) _cell.System.DeadLetterRef.Publish(envelope.Message, envelope.Sender, _cell.Self);
            unstashed.Clear();
        }
        DrainUserMessagesToDeadLetters();
        DrainSystemMessagesAsDead();
    }

    private void DrainUserMessagesToDeadLetters()
    {
        while (_user.TryDequeue(out var envelope)) _cell.System.DeadLetterRef.Publish(envelope.Message, envelope.Sender, _cell.Self);
    }

    private void DrainSystemMessagesAsDead()
    {
        while (_system.TryDequeue(out var message)) _cell.HandleDeadSystemMessage(message);
    }
}
