using System.Diagnostics;

namespace TpActors.Layers.Collectives;

/// <summary>
/// The collectives a rank ran since it was last asked (<see cref="Take"/>): each one's operation, link, size, start and
/// duration, kept in an array of fixed capacity so that recording allocates nothing; past the capacity the rest are only
/// counted (<see cref="Dropped"/>).
/// </summary>
/// <remarks>Invariants: only the rank's thread records and takes (a <see cref="Communicator"/> is used by one thread); 0 ≤ count ≤ capacity.</remarks>
[DebuggerDisplay("{_count} collectives recorded, {_dropped} dropped")]
public sealed class CollectiveRecorder
{
    private readonly Entry[] _entries;
    private int _count;
    private int _dropped;

    /// <summary>A recorder that keeps up to <paramref name="capacity"/> collectives between two takes.</summary>
    public CollectiveRecorder(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _entries = new Entry[capacity];
    }

    /// <summary>Collectives past the capacity since the last take: counted, not kept.</summary>
    public int Dropped => _dropped;

    /// <summary>Records a collective that started at <paramref name="startTimestamp"/> (a <see cref="Stopwatch"/> timestamp) and ended now.</summary>
    public void Record(CollectiveOperation operation, CollectiveLinkKind link, int ranks, long bytes, long startTimestamp)
    {
        long end = Stopwatch.GetTimestamp();
        if (_count == _entries.Length)
        {
            _dropped++;
            return;
        }
        _entries[_count++] = new Entry(operation, link, ranks, bytes, startTimestamp, end);
    }

    /// <summary>
    /// The collectives recorded since the last take, their starts as ticks from <paramref name="originTimestamp"/> (a
    /// <see cref="Stopwatch"/> timestamp), and how many were dropped; the recorder is empty afterwards.
    /// </summary>
    public (CollectiveSpan[] Spans, int Dropped) Take(long originTimestamp)
    {
        var spans = _count == 0 ? [] : new CollectiveSpan[_count];
        for (int i = 0; i < _count; i++)
        {
            var e = _entries[i];
            spans[i] = new CollectiveSpan(e.Operation, e.Link, e.Ranks, e.Bytes,
                Stopwatch.GetElapsedTime(originTimestamp, e.Start).Ticks, Stopwatch.GetElapsedTime(e.Start, e.End).Ticks);
        }
        int dropped = _dropped;
        (_count, _dropped) = (0, 0);
        return (spans, dropped);
    }

    /// <summary>Forgets what was recorded (e.g. the collectives of a phase that failed).</summary>
    public void Clear() => (_count, _dropped) = (0, 0);

    private readonly record struct Entry(CollectiveOperation Operation, CollectiveLinkKind Link, int Ranks, long Bytes, long Start, long End);
}
