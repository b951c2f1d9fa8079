using System.Diagnostics;
using TpActors.Layers.Tensors;

namespace TpActors.Layers.Collectives;

/// <summary>
/// One rank's membership in a group of ranks: a link to each peer's inbox, its own inbox, and the group's round counter.
/// The collectives (<see cref="AllReduce(Span{float})"/>, <see cref="ReduceScatter(ReadOnlySpan{float}, Span{float}, IReadOnlyList{int})"/>, <see cref="AllGather(ReadOnlySpan{float}, Span{float}, IReadOnlyList{int})"/>, <see cref="Broadcast"/>,
/// <see cref="Barrier"/>) are message protocols between the members; every member must call the same ones in the same order.
/// A call blocks the rank's thread until its round completes (rank actors run on the pinned dispatcher, so this holds
/// no shared thread), and fails with <see cref="CollectiveTimeoutException"/> when the round does not complete in time.
/// </summary>
[DebuggerDisplay("group {Group}: rank {Rank} of {Size}, {_sequence} rounds")]
public sealed class Communicator : IDisposable
{
    private readonly CollectiveInbox _inbox;
    private readonly ICollectiveTransport _transport;
    private ICollectiveLink[] _links;

    // Rounds started in this group: the next round's sequence number is one more. Only the rank's thread changes it.
    private long _sequence;

    // When the current round times out, as a timestamp of the inbox's clock.
    private long _deadline;

    /// <summary>Joins rank <paramref name="rank"/> to a group whose members' endpoints are <paramref name="endpoints"/> (by rank), reached through <paramref name="transport"/>.</summary>
    public Communicator(string group, int rank, IReadOnlyList<CollectiveEndpoint> endpoints, CollectiveInbox inbox, CollectiveSettings settings, ICollectiveTransport transport)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        if (endpoints.Count == 0) throw new ArgumentException($"Group '{group}' has no members.", nameof(endpoints));
        if ((uint)rank >= (uint)endpoints.Count) throw new ArgumentOutOfRangeException(nameof(rank), $"Rank {rank} is not in group '{group}' of {endpoints.Count} ranks.");
        Group = group;
        Rank = rank;
        _transport = transport;
        _links = Connect(endpoints);
        Link = RingLink(endpoints);
        ChunkElements = ChunkSizeFor(endpoints, rank, settings);
        _inbox = inbox;
        Ledger = new LendingLedger(inbox);
        Settings = settings;
        Recorder = new CollectiveRecorder(settings.RecordedPerPhase);
    }

    /// <summary>The group's name; part of every round id.</summary>
    public string Group { get; private set; }

    /// <summary>This member's rank in the group, from 0.</summary>
    public int Rank { get; }

    /// <summary>Members in the group.</summary>
    public int Size => _links.Length;

    /// <summary>The dearest hop of the group's ring (every ring collective passes each hop, so it paces them all).</summary>
    public CollectiveLinkKind Link { get; private set; }

    /// <summary>The collectives this member ran since the recorder was last asked.</summary>
    public CollectiveRecorder Recorder { get; }

    /// <summary>Timeouts and chunk size.</summary>
    public CollectiveSettings Settings { get; }

    /// <summary>
    /// Floats per message in this group: the bulk lane's chunk size when its members span processes (every member sees
    /// the same endpoints, so all agree), the in-process one otherwise. Chunking never changes a sum's order.
    /// </summary>
    public int ChunkElements { get; private set; }

    private CollectiveLinkKind RingLink(IReadOnlyList<CollectiveEndpoint> endpoints) =>
        endpoints.Select((e, r) => _transport.KindOf(e, endpoints[(r + 1) % endpoints.Count])).Max();

    private static int ChunkSizeFor(IReadOnlyList<CollectiveEndpoint> endpoints, int rank, CollectiveSettings settings) =>
        endpoints.Any(e => e.Lane != endpoints[rank].Lane) ? settings.BulkChunkElements : settings.ChunkElements;

    /// <summary>The rank this one receives ring messages from.</summary>
    public int Left => (Rank + Size - 1) % Size;

    /// <summary>The rank this one sends ring messages to.</summary>
    public int Right => (Rank + 1) % Size;

    /// <summary>Sums <paramref name="buffer"/> element-wise over all members, in place; every member ends with bit-identical sums.</summary>
    public void AllReduce(Span<float> buffer)
    {
        long start = Stopwatch.GetTimestamp();
        RingAllReduce.Run(this, buffer);
        Record(CollectiveOperation.AllReduce, buffer.Length, start);
    }

    /// <summary>Sums <paramref name="tensor"/> (contiguous) over the group, in place; every rank ends with the same bits.</summary>
    public void AllReduce(Tensor tensor) => AllReduce(tensor.Span);

    /// <summary>Sums <paramref name="input"/> over all members and gives this member its segment (<paramref name="counts"/>[Rank] elements) in <paramref name="output"/>.</summary>
    public void ReduceScatter(ReadOnlySpan<float> input, Span<float> output, IReadOnlyList<int> counts)
    {
        long start = Stopwatch.GetTimestamp();
        RingReduceScatter.Run(this, input, output, counts);
        Record(CollectiveOperation.ReduceScatter, input.Length, start);
    }

    /// <summary>Reduce-scatter of the contiguous tensor <paramref name="input"/> into <paramref name="output"/> (rank r receives <paramref name="counts"/>[r] elements).</summary>
    public void ReduceScatter(Tensor input, Tensor output, IReadOnlyList<int> counts) => ReduceScatter(input.Span, output.Span, counts);

    /// <summary>Concatenates every member's <paramref name="local"/> (member r gives <paramref name="counts"/>[r] elements) into <paramref name="output"/>, in rank order.</summary>
    public void AllGather(ReadOnlySpan<float> local, Span<float> output, IReadOnlyList<int> counts)
    {
        long start = Stopwatch.GetTimestamp();
        RingAllGather.Run(this, local, output, counts);
        Record(CollectiveOperation.AllGather, output.Length, start);
    }

    /// <summary>
    /// Gathers every rank's <paramref name="local"/> (rank r's holds <paramref name="counts"/>[r] elements; a strided view is
    /// read row by row into a contiguous copy first) into <paramref name="output"/>, rank by rank, as they lie in memory.
    /// </summary>
    public void AllGather(Tensor local, Tensor output, IReadOnlyList<int> counts)
    {
        using var contiguous = local.IsContiguous ? null : local.Clone();
        AllGather((contiguous ?? local).Span, output.Span, counts);
    }

    /// <summary>Copies <paramref name="root"/>'s <paramref name="buffer"/> into every member's.</summary>
    public void Broadcast(Span<float> buffer, int root)
    {
        long start = Stopwatch.GetTimestamp();
        ChainBroadcast.Run(this, buffer, root);
        Record(CollectiveOperation.Broadcast, buffer.Length, start);
    }

    /// <summary>Returns once every member has entered the barrier.</summary>
    public void Barrier()
    {
        long start = Stopwatch.GetTimestamp();
        RingBarrier.Run(this);
        Record(CollectiveOperation.Barrier, 0, start);
    }

    // A collective that completed: what the recorder keeps of it (a failed one is not kept).
    private void Record(CollectiveOperation operation, int floats, long start) =>
        Recorder.Record(operation, Link, Size, (long)floats * sizeof(float), start);

    /// <summary>
    /// Re-forms the group under a new name after a member was replaced: the same rank, new <paramref name="endpoints"/>
    /// (one per rank, the same count), round numbers from 1 again. Rounds of the old name still in flight stay apart, since
    /// the name is part of every round id; the old name must not be reused.
    /// </summary>
    public void Reform(string group, IReadOnlyList<CollectiveEndpoint> endpoints)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        if (endpoints.Count != _links.Length)
            throw new ArgumentException($"Group '{Group}' has {_links.Length} members; re-forming it as '{group}' with {endpoints.Count} is not possible.", nameof(endpoints));
        if (group == Group) throw new ArgumentException($"Group '{group}' must take a new name when it is re-formed.", nameof(group));
        Group = group;
        var old = _links;
        _links = Connect(endpoints);
        Link = RingLink(endpoints);
        ChunkElements = ChunkSizeFor(endpoints, Rank, Settings);
        foreach (var link in old) link.Dispose();
        _sequence = 0;
    }

    /// <summary>Closes the links to the peers (their bulk connections, when they are in other processes).</summary>
    public void Dispose()
    {
        foreach (var link in _links) link.Dispose();
    }

    private ICollectiveLink[] Connect(IReadOnlyList<CollectiveEndpoint> endpoints) => endpoints.Select(_transport.Connect).ToArray();

    /// <summary>Starts this member's next round: its id, and its deadline.</summary>
    internal RoundId BeginRound(CollectiveOperation operation)
    {
        _deadline = _inbox.DeadlineAfter(Settings.RoundTimeout);
        return new RoundId(Group, ++_sequence, operation);
    }

    /// <summary>Ends a round: late or leftover messages of it are dropped from now on.</summary>
    internal void EndRound(RoundId round) => _inbox.EndRound(round);

    /// <summary>The views this rank has lent in the pass it is running.</summary>
    internal LendingLedger Ledger { get; }

    /// <summary>Lends the right neighbour a view of <paramref name="length"/> floats at <paramref name="at"/>, which stays pinned and unchanged until <see cref="AwaitReleases"/>.</summary>
    internal unsafe void Lend(RoundId round, int step, int index, float* at, int length) =>
        _links[Right].Post(CollectiveChunk.Lend(at, length, Ledger).Address(round, step, index, Rank, length));

    /// <summary>
    /// Sends a received chunk on to the right neighbour as its message of <paramref name="step"/>: an owned chunk travels on
    /// itself; a view (the left neighbour's memory) is released, and this rank's copy of it, at <paramref name="copy"/>, is
    /// lent instead.
    /// </summary>
    internal unsafe void PassOn(CollectiveChunk received, int step, float* copy)
    {
        if (!received.IsView)
        {
            Forward(received, step);
            return;
        }
        var (round, index, length) = (received.Round, received.Index, received.Length);
        received.Return();
        Lend(round, step, index, copy, length);
    }

    /// <summary>Waits until the right neighbour has released every view of this pass; past the round's deadline, fails the round.</summary>
    internal void AwaitReleases(RoundId round)
    {
        if (!Ledger.WaitAllReleased(round, _deadline))
            throw FailStalledRound(round, Right, -1, -1, null, $"rank {Right} to release the segments it was lent");
    }

    /// <summary>A pooled chunk labelled as sent by this rank.</summary>
    internal CollectiveChunk NewChunk(RoundId round, int step, int index, int length) =>
        CollectiveChunk.Rent(length).Address(round, step, index, Rank, length);

    /// <summary>Sends a chunk to <paramref name="rank"/>; it belongs to the receiver from now on.</summary>
    internal void Send(int rank, CollectiveChunk chunk) => _links[rank].Post(chunk);

    /// <summary>Relabels a received chunk as this rank's message of <paramref name="step"/> and sends it to the right neighbour.</summary>
    internal void Forward(CollectiveChunk chunk, int step) =>
        Send(Right, chunk.Address(chunk.Round, step, chunk.Index, Rank, chunk.Length));

    /// <summary>
    /// The chunk (<paramref name="step"/>, <paramref name="index"/>) of <paramref name="round"/> from <paramref name="from"/>,
    /// which must carry <paramref name="length"/> floats. Waits until the round's deadline; then, or when a peer reports the
    /// round stalled, fails the round everywhere (see <see cref="FailStalledRound"/>).
    /// </summary>
    internal CollectiveChunk Receive(RoundId round, int from, int step, int index, int length)
    {
        var message = _inbox.Take(round, _deadline);
        if (message is CollectiveChunk chunk)
        {
            if (chunk.Round.Operation != round.Operation || chunk.From != from || chunk.Step != step || chunk.Index != index || chunk.Length != length)
            {
                var got = $"{RoundId.OperationName(chunk.Round.Operation)} step {chunk.Step} chunk {chunk.Index} with {chunk.Length} floats from rank {chunk.From}";
                chunk.Return();
                _inbox.EndRound(round);
                throw new CollectiveMismatchException(
                    $"{round}: rank {Rank} expected step {step} chunk {index} with {length} floats from rank {from}, but got {got}. " +
                    "Every member must call the same collectives in the same order with matching sizes.");
            }
            if (!chunk.TryAcquire())
            {
                chunk.Return();
                _inbox.EndRound(round);
                throw new CollectiveAbortedException(Group, $"rank {from} gave up {round} before rank {Rank} read its segment");
            }
            return chunk;
        }
        throw FailStalledRound(round, from, step, index, message as RoundStalled, $"step {step} chunk {index} from rank {from}");
    }

    /// <summary>
    /// The round passed its deadline here (<paramref name="firstReport"/> is null) or a peer reported it stalled. This rank
    /// tells every peer what it was waiting for, collects their reports for the stall grace (or until all have reported),
    /// and names as missing the ranks that were waited for and sent no report: they never reached the round, or have died.
    /// </summary>
    private CollectiveTimeoutException FailStalledRound(RoundId round, int waitingFor, int step, int index, RoundStalled? firstReport, string awaited)
    {
        var reports = new SortedDictionary<int, RoundStalled>();
        if (firstReport is not null) reports[firstReport.Reporter] = firstReport;
        var mine = new RoundStalled(round, Rank, waitingFor, step, index);
        reports[Rank] = mine;
        for (int peer = 0; peer < Size; peer++) if (peer != Rank) _links[peer].Post(mine);

        long graceEnd = _inbox.DeadlineAfter(Settings.StallGrace);
        while (reports.Count < Size && _inbox.Take(round, graceEnd) is { } message)
        {
            if (message is RoundStalled report) reports[report.Reporter] = report;
            else ((CollectiveChunk)message).Return();
        }
        _inbox.EndRound(round);

        var missing = reports.Values.Select(r => r.WaitingFor).Where(r => !reports.ContainsKey(r)).Distinct().Order().ToList();
        if (missing.Count == 0) missing.Add(waitingFor); // every rank reported: they wait on each other in a cycle
        string who = missing.Count == 1 ? $"rank {missing[0]} did not answer" : $"ranks {string.Join(", ", missing)} did not answer";
        return new CollectiveTimeoutException(round, Rank, missing,
            $"{round} did not complete within {Settings.RoundTimeout.TotalSeconds:0.###}s: {who}. " +
            $"Rank {Rank} was waiting for {awaited}; " +
            $"stall reports came from rank{(reports.Count == 1 ? "" : "s")} {string.Join(", ", reports.Keys)}.");
    }
}
