using System.Collections.Concurrent;

namespace TpActors.Runtime.Actors;

/// <summary>The default queue: never refuses. A <see cref="ConcurrentQueue{T}"/> reuses its ring while it does not overflow, so a steady flow allocates nothing.</summary>
internal sealed class UnboundedMessageQueue : IMessageQueue
{
    private readonly ConcurrentQueue<Envelope> _queue = new();

    public bool HasMessages => !_queue.IsEmpty;

    public int Count => _queue.Count;

    public bool TryEnqueue(in Envelope envelope)
    {
        _queue.Enqueue(envelope);
        return true;
    }

    public bool TryDequeue(out Envelope envelope) => _queue.TryDequeue(out envelope);
}
