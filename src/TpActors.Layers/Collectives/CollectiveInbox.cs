using System.Diagnostics;

namespace TpActors.Layers.Collectives;

/// <summary>
/// Where a rank's collective messages land: one FIFO per round, filled by peers (on their threads, through their links to
/// the rank's endpoint) and drained by the rank's own thread while it runs that round. Messages of a later round wait in their
/// own queue until the rank gets there; messages of a round the rank has finished (or abandoned) are dropped. An
/// <see cref="AbortGroup"/> ends every round of its group at once: a waiting <see cref="Take"/> throws
/// <see cref="CollectiveAbortedException"/>, and the group's messages are dropped from then on.
/// </summary>
/// <remarks>
/// Invariants: only the owning rank's thread calls <see cref="Take"/> and <see cref="EndRound"/>; any thread may call
/// <see cref="Post"/>. Per sender, messages are posted in the order they were sent (a sender posts on its own thread),
/// so the ring's chunks from the left neighbour arrive in (step, index) order.
/// </remarks>
[DebuggerDisplay("{_rounds.Count} rounds pending")]
public sealed class CollectiveInbox
{
    private readonly object _gate = new();

    // Messages by round, waiting for the rank to take them. Guarded by _gate.
    private readonly Dictionary<(string Group, long Sequence), Queue<object>> _rounds = new();

    // The highest finished sequence number per group: anything posted for it or earlier is stale. Guarded by _gate.
    private readonly Dictionary<string, long> _finished = new();

    // Set by Post after enqueueing, reset by Take before its last look: a message posted after that look wakes the taker.
    private readonly ManualResetEventSlim _posted = new(false, spinCount: 200);

    // Groups aborted by their supervisor, with the reason: their rounds fail and their messages are dropped. Guarded by _gate.
    private readonly Dictionary<string, string> _aborted = new();

    // The order groups were aborted in, so that the oldest are forgotten past MaxAbortedGroups. Guarded by _gate.
    private readonly Queue<string> _abortOrder = new();

    // Cancelled when its group is aborted: for waits outside a collective round (a snapshot's copy). One group at a time,
    // the rank's current one. Guarded by _gate.
    private (string Group, CancellationTokenSource Source)? _abortSignal;

    // True once the rank has stopped: everything posted afterwards is dropped. Guarded by _gate.
    private bool _closed;

    // What peers may park here ahead of the rank is bounded, so that rounds the rank never runs (a peer's bug, or a corrupt
    // frame from an authenticated peer) cost bounded memory: past either bound the round parked first is dropped to make
    // room (junk ages out; a live round that loses its messages times out as a collective fault, which its supervisor
    // recovers). Legitimate traffic stays far below both: a neighbour runs at most a round or two ahead. Guarded by _gate.
    private const int MaxPendingRounds = 4096;
    private const long MaxPendingBytes = 4L << 30;
    private const int MaxAbortedGroups = 4096;
    private long _pendingBytes;
    private readonly Queue<(string Group, long Sequence)> _parkOrder = new(); // rounds in the order they were first parked (some since gone)

    // The wall clock waits on _posted with a timeout; any other clock (virtual time) wakes the taker with one of its timers.
    private readonly bool _wallClock;

    /// <summary>An inbox whose deadlines are read on <paramref name="clock"/> (the machine's when null).</summary>
    public CollectiveInbox(TimeProvider? clock = null)
    {
        Clock = clock ?? TimeProvider.System;
        _wallClock = ReferenceEquals(Clock, TimeProvider.System);
    }

    /// <summary>The clock deadlines are timestamps of (see <see cref="TimeProvider.GetTimestamp"/>).</summary>
    public TimeProvider Clock { get; }

    /// <summary>
    /// Accepts a message from a peer or a supervisor (any thread): a <see cref="CollectiveChunk"/>, a <see cref="RoundStalled"/>
    /// or an <see cref="AbortGroup"/>.
    /// </summary>
    public void Post(object message)
    {
        if (message is AbortGroup abort)
        {
            Abort(abort);
            return;
        }
        RoundId round = message switch
        {
            CollectiveChunk chunk => chunk.Round,
            RoundStalled stalled => stalled.Round,
            _ => throw new ArgumentException($"A collective inbox takes chunks, stall reports and aborts, not {message.GetType().Name}.", nameof(message)),
        };
        lock (_gate)
        {
            if (_closed || _aborted.ContainsKey(round.Group) || (_finished.TryGetValue(round.Group, out long last) && round.Sequence <= last))
            {
                (message as CollectiveChunk)?.Return();
                return;
            }
            var key = (round.Group, round.Sequence);
            long bytes = BytesOf(message);
            if (!_rounds.TryGetValue(key, out var queue))
            {
                while (_rounds.Count >= MaxPendingRounds && DropOldest()) { }
                _rounds[key] = queue = new Queue<object>();
                Park(key);
            }
            while (_pendingBytes + bytes > MaxPendingBytes && _rounds.Count > 1 && DropOldest(except: key)) { }
            queue.Enqueue(message);
            _pendingBytes += bytes;
        }
        _posted.Set();
    }

    /// <summary>Rounds with messages waiting (bounded, see <see cref="MaxPendingRounds"/>).</summary>
    internal int PendingRounds
    {
        get
        {
            lock (_gate) return _rounds.Count;
        }
    }

    /// <summary>Bytes of chunk payloads waiting (bounded, see <see cref="MaxPendingBytes"/>).</summary>
    internal long PendingBytes
    {
        get
        {
            lock (_gate) return _pendingBytes;
        }
    }

    private static long BytesOf(object message) => message is CollectiveChunk chunk ? (long)chunk.Length * sizeof(float) : 0;

    // Remembers when a round was first parked; forgets the rounds that have gone once they outnumber the live ones. Under _gate.
    private void Park((string Group, long Sequence) key)
    {
        _parkOrder.Enqueue(key);
        if (_parkOrder.Count <= 2 * MaxPendingRounds) return;
        var live = _parkOrder.Where(_rounds.ContainsKey).ToList();
        _parkOrder.Clear();
        foreach (var k in live) _parkOrder.Enqueue(k);
    }

    // Drops the round parked first that is still here (not except); false when there is none. Called under _gate.
    // Invariant: every round in _rounds is in _parkOrder.
    private bool DropOldest((string Group, long Sequence)? except = null)
    {
        for (int looked = _parkOrder.Count; looked > 0 && _parkOrder.TryDequeue(out var oldest); looked--)
        {
            if (oldest == except)
            {
                _parkOrder.Enqueue(oldest);
                continue;
            }
            if (_rounds.ContainsKey(oldest))
            {
                Drop(oldest);
                return true;
            }
        }
        return false;
    }

    // Drops a round's waiting messages. Called under _gate.
    private void Drop((string Group, long Sequence) key)
    {
        foreach (var message in _rounds[key])
        {
            _pendingBytes -= BytesOf(message);
            (message as CollectiveChunk)?.Return();
        }
        _rounds.Remove(key);
    }

    /// <summary>
    /// The next message of <paramref name="round"/>, waiting until <paramref name="deadline"/> (a timestamp of <see cref="Clock"/>);
    /// null when the deadline passes first.
    /// </summary>
    public object? Take(RoundId round, long deadline)
    {
        var key = (round.Group, round.Sequence);
        ITimer? wake = null; // a virtual clock's timer, set once for the deadline
        try
        {
            while (true)
            {
                if (TryDequeue(key, out var message)) return message;
                _posted.Reset();
                if (TryDequeue(key, out message)) return message;
                if (!Wait(ref wake, deadline)) return null;
            }
        }
        finally
        {
            wake?.Dispose();
        }
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds, re-checking it whenever something is posted or <see cref="Signal"/>led;
    /// false when <paramref name="deadline"/> passes first.
    /// </summary>
    /// <exception cref="CollectiveAbortedException">The round's group was aborted.</exception>
    public bool WaitUntil(RoundId round, Func<bool> condition, long deadline)
    {
        ITimer? wake = null;
        try
        {
            while (true)
            {
                ThrowIfAborted(round.Group);
                if (condition()) return true;
                _posted.Reset();
                if (condition()) return true;
                if (!Wait(ref wake, deadline)) return condition();
            }
        }
        finally
        {
            wake?.Dispose();
        }
    }

    /// <summary>
    /// Called, on a bulk-lane reader's thread, when a connection from a peer in another process broke (see
    /// <see cref="PeerDisconnected"/>); the rank that owns the inbox sets it to tell its supervisor. Null: nobody listens.
    /// </summary>
    public Action<PeerDisconnected>? OnDisconnected { get; set; }

    /// <summary>A peer's connection broke: tells <see cref="OnDisconnected"/>, unless the rank has stopped.</summary>
    internal void Disconnected(PeerDisconnected disconnected)
    {
        lock (_gate)
        {
            if (_closed) return;
        }
        OnDisconnected?.Invoke(disconnected);
    }

    /// <summary>Wakes the rank if it is waiting (a peer released a view it lent).</summary>
    public void Signal() => _posted.Set();

    // One wait for a post or a signal; false when the deadline has passed. Time is read after the caller's reset, so a
    // wake-up that came before it is seen here as a passed deadline.
    private bool Wait(ref ITimer? wake, long deadline)
    {
        long remaining = deadline - Clock.GetTimestamp();
        if (remaining <= 0) return false;
        var wait = TimeSpan.FromTicks(Math.Max(1, (long)(remaining * ((double)TimeSpan.TicksPerSecond / Clock.TimestampFrequency))));
        if (_wallClock)
        {
            _posted.Wait(wait);
        }
        else
        {
            wake ??= Clock.CreateTimer(static posted => ((ManualResetEventSlim)posted!).Set(), _posted, wait, Timeout.InfiniteTimeSpan);
            _posted.Wait();
        }
        return true;
    }

    private void ThrowIfAborted(string group)
    {
        lock (_gate)
        {
            if (_aborted.TryGetValue(group, out var reason)) throw new CollectiveAbortedException(group, reason);
        }
    }

    /// <summary>The timestamp of <see cref="Clock"/> <paramref name="after"/> from now.</summary>
    public long DeadlineAfter(TimeSpan after) => Clock.GetTimestamp() + (long)(after.TotalSeconds * Clock.TimestampFrequency);

    /// <summary>Marks <paramref name="round"/> and every earlier round of its group finished: what is left of them, or arrives later, is dropped.</summary>
    public void EndRound(RoundId round)
    {
        lock (_gate)
        {
            _finished[round.Group] = Math.Max(round.Sequence, _finished.GetValueOrDefault(round.Group));
            foreach (var key in _rounds.Keys.Where(k => k.Group == round.Group && k.Sequence <= round.Sequence).ToList()) Drop(key);
        }
    }

    /// <summary>Drops everything pending and everything posted from now on (the rank has stopped).</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            foreach (var key in _rounds.Keys.ToList()) Drop(key);
        }
        _posted.Set();
    }

    // Marks the group aborted, drops what it has pending and wakes a rank waiting in one of its rounds.
    private void Abort(AbortGroup abort)
    {
        CancellationTokenSource? signal = null;
        lock (_gate)
        {
            if (_aborted.TryAdd(abort.Group, abort.Reason))
            {
                _abortOrder.Enqueue(abort.Group);
                if (_abortOrder.Count > MaxAbortedGroups) _aborted.Remove(_abortOrder.Dequeue()); // long over: no round of it runs again
            }
            foreach (var key in _rounds.Keys.Where(k => k.Group == abort.Group).ToList()) Drop(key);
            if (_abortSignal is { } current && current.Group == abort.Group) signal = current.Source;
        }
        signal?.Cancel(); // outside the lock: what waits on it wakes on its own thread
        _posted.Set();
    }

    /// <summary>
    /// A token cancelled when <paramref name="group"/> is aborted (at once, if it has been), for a wait of the rank's that is
    /// no collective round; asking for another group's token forgets this one's.
    /// </summary>
    public CancellationToken WhenAborted(string group)
    {
        CancellationTokenSource? replaced = null;
        CancellationToken token;
        lock (_gate)
        {
            if (_abortSignal is not { } current || current.Group != group)
            {
                replaced = _abortSignal?.Source;
                _abortSignal = (group, new CancellationTokenSource());
                if (_aborted.ContainsKey(group)) _abortSignal.Value.Source.Cancel();
            }
            token = _abortSignal!.Value.Source.Token;
        }
        replaced?.Dispose();
        return token;
    }

    /// <summary>Why <paramref name="group"/> was aborted, or null while it is not.</summary>
    public string? AbortReason(string group)
    {
        lock (_gate) return _aborted.GetValueOrDefault(group);
    }

    private bool TryDequeue((string Group, long Sequence) key, out object message)
    {
        lock (_gate)
        {
            if (_closed) throw new ObjectDisposedException(nameof(CollectiveInbox), "The rank's collective inbox is closed: the rank has stopped.");
            if (_aborted.TryGetValue(key.Group, out var reason)) throw new CollectiveAbortedException(key.Group, reason);
            if (_rounds.TryGetValue(key, out var queue) && queue.TryDequeue(out message!))
            {
                _pendingBytes -= BytesOf(message);
                return true;
            }
        }
        message = null!;
        return false;
    }
}
