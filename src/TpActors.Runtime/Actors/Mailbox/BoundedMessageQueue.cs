using System.Collections.Concurrent;
using System.Diagnostics;

namespace TpActors.Runtime.Actors;

/// <summary>A queue that holds at most <c>capacity</c> messages; a full queue refuses or back-pressures, as its <see cref="MailboxOverflow"/> says.</summary>
[DebuggerDisplay("{Count}/{_capacity}, {_overflow}")]
internal sealed class BoundedMessageQueue : IMessageQueue
{
    private readonly ConcurrentQueue<Envelope> _queue = new();

    /// <summary>Free slots: taken by an enqueue before it adds, given back by each dequeue. Never more than the capacity.</summary>
    private readonly SemaphoreSlim _room;

    private readonly int _capacity;
    private readonly MailboxOverflow _overflow;
    private readonly TimeSpan _pushTimeout;

    public BoundedMessageQueue(int capacity, MailboxOverflow overflow, TimeSpan pushTimeout)
    {
        Debug.Assert(capacity > 0, "MailboxSettings checks the capacity.");
        _capacity = capacity;
        _overflow = overflow;
        _pushTimeout = pushTimeout;
        _room = new SemaphoreSlim(capacity, capacity);
    }

    public bool HasMessages => !_queue.IsEmpty;

    public int Count => _queue.Count;

    public bool TryEnqueue(in Envelope envelope)
    {
        bool hasRoom = _overflow == MailboxOverflow.BackPressure ? _room.Wait(_pushTimeout) : _room.Wait(0);
        if (!hasRoom) return false;
        _queue.Enqueue(envelope);
        return true;
    }

    public bool TryDequeue(out Envelope envelope)
    {
        if (!_queue.TryDequeue(out envelope)) return false;
        _room.Release();
        return true;
    }
}
