using System.Collections.Concurrent;
using System.Diagnostics;
using TpActors.Layers.Tensors;

namespace TpActors.Layers.Collectives;

/// <summary>
/// One piece of a collective's data on its way from a rank to the next, and the message that carries it: either floats of its
/// own (pooled), or a read-only view of the sender's buffer, lent until the receiver releases it (ranks of one process share
/// memory, so a segment need not be copied to travel). Ownership moves with the message: the sender does not touch a chunk
/// after sending it; the receiver reuses an owned chunk (reduces into it, forwards it) or returns it, and releases a view
/// with <see cref="Return"/> once it has read it.
/// </summary>
/// <remarks>
/// A view is read only between a successful <see cref="TryAcquire"/> and its <see cref="Return"/>; its lender waits for that
/// (see <see cref="LendingLedger"/>) before it lets go of the memory. A link to another process copies a view's floats onto
/// the wire and returns it at once.
/// </remarks>
[DebuggerDisplay("{Round} step {Step} chunk {Index} from rank {From}: {Length} floats{(IsView ? \" (view)\" : \"\")}")]
public sealed unsafe class CollectiveChunk
{
    private static readonly SizeClassPool<CollectiveChunk> s_pool = new(maxPerClass: 256, static capacity => new CollectiveChunk(new float[capacity]));
    private static readonly ConcurrentQueue<CollectiveChunk> s_views = new();

    private readonly float[]? _data;  // owned storage, or null for a view
    private float* _lent;             // a view's first float, in the lender's pinned buffer
    private IViewLender? _ledger;     // a view's lender
    private int _slot;
    private long _generation;
    private bool _acquired;

    private CollectiveChunk(float[]? data) => _data = data;

    /// <summary>The round this chunk belongs to.</summary>
    public RoundId Round { get; private set; }

    /// <summary>The ring step (or 0 for a broadcast) at which it was sent.</summary>
    public int Step { get; private set; }

    /// <summary>Its index among the chunks of its segment.</summary>
    public int Index { get; private set; }

    /// <summary>The sending rank.</summary>
    public int From { get; private set; }

    /// <summary>The elements it carries.</summary>
    public int Length { get; private set; }

    /// <summary>True for a view of the sender's buffer, false for floats of its own.</summary>
    public bool IsView => _data is null;

    /// <summary>The carried elements (a view's only after <see cref="TryAcquire"/>).</summary>
    public ReadOnlySpan<float> Values
    {
        get
        {
            Debug.Assert(_data is not null || _acquired, "a view is read only after it is acquired");
            return _data is not null ? _data.AsSpan(0, Length) : new ReadOnlySpan<float>(_lent, Length);
        }
    }

    /// <summary>The carried elements as the sender sees them, for a link that copies them onto the wire (a view needs no acquiring by its own lender).</summary>
    internal ReadOnlySpan<float> Outgoing => _data is not null ? _data.AsSpan(0, Length) : new ReadOnlySpan<float>(_lent, Length);

    /// <summary>An owned chunk's elements, to reduce into.</summary>
    public Span<float> Writable
    {
        get
        {
            Debug.Assert(_data is not null, "a view is read-only");
            return _data.AsSpan(0, Length);
        }
    }

    /// <summary>A chunk from the pool with room for at least <paramref name="length"/> floats (capacities are powers of two).</summary>
    internal static CollectiveChunk Rent(int length) => s_pool.Rent(length);

    /// <summary>A view of <paramref name="length"/> floats at <paramref name="at"/>, recorded in <paramref name="ledger"/>; the memory must stay pinned until the ledger is settled.</summary>
    internal static CollectiveChunk Lend(float* at, int length, LendingLedger ledger)
    {
        var (slot, generation) = ledger.Add();
        return Lend(at, length, ledger, slot, generation);
    }

    /// <summary>A view of <paramref name="length"/> floats at <paramref name="at"/> that <paramref name="lender"/> keeps unchanged until it is released.</summary>
    internal static CollectiveChunk Lend(float* at, int length, IViewLender lender, int slot, long generation)
    {
        var view = s_views.TryDequeue(out var pooled) ? pooled : new CollectiveChunk(null);
        view._lent = at;
        view._ledger = lender;
        (view._slot, view._generation) = (slot, generation);
        view._acquired = false;
        view.Length = length;
        return view;
    }

    /// <summary>Labels the chunk for sending.</summary>
    internal CollectiveChunk Address(RoundId round, int step, int index, int from, int length)
    {
        Debug.Assert(_data is null ? length == Length : length <= _data.Length, "A chunk never carries more than its capacity, and a view exactly what it shows.");
        Round = round;
        Step = step;
        Index = index;
        From = from;
        Length = length;
        return this;
    }

    /// <summary>The receiver's claim on a view before reading it (always true for an owned chunk); false when its lender revoked it.</summary>
    internal bool TryAcquire()
    {
        if (_data is not null) return true;
        _acquired = _ledger!.TryAcquire(_slot, _generation);
        return _acquired;
    }

    /// <summary>Gives an owned chunk back to the pool, or releases a view to its lender; its owner must not touch it again.</summary>
    internal void Return()
    {
        if (_data is not null)
        {
            s_pool.Return(_data.Length, this);
            return;
        }
        _ledger!.Release(_slot, _generation, _acquired);
        _ledger = null;
        _lent = null;
        s_views.Enqueue(this);
    }
}
