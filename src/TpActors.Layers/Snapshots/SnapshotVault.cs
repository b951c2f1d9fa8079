using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Akka.Actor;
using TpActors.Layers.Collectives;
using TpActors.Layers.Tensors;
using TpActors.Runtime.Cluster;
using TpActors.Runtime.Transport;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Snapshots;

/// <summary>
/// The in-memory snapshots of a process's ranks whose supervisor is in another process (an Akka extension): a rank's
/// snapshot stays on its own host, so a step costs no transfer of state to the driver; a restarted or replaced rank on
/// the same host restores from it. Per rank, the last <see cref="Depth"/> snapshots are kept: the one whose copy on the
/// buddy host is confirmed (what a recovery restores), the one whose copy is in flight, and the one being taken, which a
/// failure may leave uncommitted; the oldest is the buffer the next snapshot is written into. Each snapshot is
/// also copied to the vault of its rank's buddy host (<see cref="Replicate"/>, over the bulk lane), so a rank whose host
/// is lost is restored, on the host it is placed on anew, from that copy (<see cref="Fetch"/>) with no disk involved.
/// Copies are kept exactly like a rank's own snapshots. Everything a run kept is dropped when its supervisor stops
/// (DeathWatch, also when the driver's process dies).
/// </summary>
public sealed class SnapshotVault : IExtension
{
    /// <summary>Snapshots kept per rank and run.</summary>
    public const int Depth = 3;

    private readonly ConcurrentDictionary<(string Run, int Rank), List<ShardState>> _kept = new();
    private readonly IActorRef _keeper;
    private readonly ExtendedActorSystem _system;

    /// <summary>The vault's actor, under <c>/system</c> of every process: other hosts' ranks send it their copies.</summary>
    public const string Name = "snapshot-vault";

    private SnapshotVault(ExtendedActorSystem system)
    {
        _system = system;
        _keeper = system.SystemActorOf(Props.Create(() => new Keeper(this)), Name);
    }

    /// <summary>The vault of <paramref name="system"/>.</summary>
    public static SnapshotVault For(ActorSystem system) => system.WithExtension<SnapshotVault, SnapshotVaultId>();

    /// <summary>
    /// The buffer for rank <paramref name="rank"/>'s snapshot of <paramref name="step"/>: a kept snapshot of that step or a
    /// later one (left by an attempt that failed before committing it), else its oldest when it keeps <see cref="Depth"/>,
    /// else null. The snapshot a recovery restores is never handed out.
    /// </summary>
    public ShardState? TakeBuffer(IActorRef supervisor, int rank, long step)
    {
        var states = States(supervisor, rank);
        lock (states)
        {
            var stale = states.Where(s => s.Step >= step).MaxBy(s => s.Step);
            var buffer = stale ?? (states.Count < Depth ? null : states.MinBy(s => s.Step));
            if (buffer is not null) states.Remove(buffer);
            return buffer;
        }
    }

    /// <summary>Keeps <paramref name="state"/> (it belongs to the vault now), dropping all but the newest <see cref="Depth"/> - 1 others.</summary>
    public void Keep(IActorRef supervisor, int rank, ShardState state)
    {
        var states = States(supervisor, rank);
        lock (states)
        {
            foreach (var old in states.Where(s => s.Step >= state.Step).ToList())
            {
                states.Remove(old); // a replayed step's snapshot replaces the one taken before the failure
                old.Dispose();
            }
            while (states.Count >= Depth)
            {
                var oldest = states.MinBy(s => s.Step)!;
                states.Remove(oldest);
                oldest.Dispose();
            }
            states.Add(state);
        }
        _keeper.Tell(new Keeper.WatchRun(supervisor));
    }

    /// <summary>Rank <paramref name="rank"/>'s kept snapshot of <paramref name="step"/>, lent (the vault keeps it).</summary>
    /// <exception cref="InvalidOperationException">This process has no such snapshot (the rank ran on another host).</exception>
    public ShardState Find(IActorRef supervisor, int rank, long step)
    {
        var states = States(supervisor, rank);
        lock (states)
        {
            return states.FirstOrDefault(s => s.Step == step) ?? throw new InvalidOperationException(
                $"Rank {rank} has no snapshot of step {step} in this process (it has: {(states.Count == 0 ? "none" : string.Join(", ", states.Select(s => s.Step)))}); " +
                "a rank restores from the snapshot it kept on its own host.");
        }
    }

    /// <summary>
    /// Copies rank <paramref name="rank"/>'s <paramref name="snapshot"/> (kept here) to the vault of the host whose rank
    /// <paramref name="buddy"/> is: that vault readies memory of the snapshot's layout (<see cref="HoldReplica"/>), each
    /// tensor's bytes go from the snapshot straight onto the lane and from the lane straight into that memory, and the copy
    /// is kept there (<see cref="ReplicaSent"/>); returns once it is.
    /// </summary>
    /// <exception cref="TimeoutException">The buddy's host did not answer within <paramref name="timeout"/>.</exception>
    /// <exception cref="IOException">The buddy host's lane cannot be reached, or its vault cannot take the copy.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> called it off while it waited for an answer.</exception>
    public void Replicate(IActorRef supervisor, int rank, ShardState snapshot, CollectiveEndpoint buddy, TimeSpan timeout, CancellationToken cancel = default)
    {
        var lane = CollectiveTransport.For(_system).Lane ?? throw new InvalidOperationException("A snapshot is copied over the bulk lane; this process has none.");
        var node = buddy.Rank.Path.Address;
        var keeper = KeeperAt(node);
        long ticket = Random.Shared.NextInt64();
        string what = $"rank {rank}'s snapshot of step {snapshot.Step}";
        Await<ReplicaReady>(keeper.Ask(new HoldReplica(supervisor, rank, snapshot.Step, ticket, snapshot.Layout), timeout, cancel), node, what, timeout);
        cancel.ThrowIfCancellationRequested();
        SendParts(lane, buddy.Lane!, ticket, snapshot);
        Await<ReplicaHeld>(keeper.Ask(new ReplicaSent(ticket), timeout, cancel), node, what, timeout);
    }

    // A state's tensors, each straight from its memory, as the parts of blob `ticket` on the lane at `to`.
    private static void SendParts(BulkLane lane, string to, long ticket, ShardState state) =>
        lane.SendBlob(to, ticket, state.Tensors.Count, i => TensorBytes(state, i));

    // The bytes of a state's tensor `index`: a part of the blob that carries the state.
    private static Span<byte> TensorBytes(ShardState state, int index) => MemoryMarshal.AsBytes(state.Tensors[index].Value.Span);

    // Memory for a copy of `layout`: the rank's oldest kept state here when it has that layout (no allocation once a run is
    // under way), else new.
    private ShardState BufferFor(IActorRef supervisor, int rank, long step, IReadOnlyList<ShardTensorLayout> layout)
    {
        var state = TakeBuffer(supervisor, rank, step);
        if (state is not null && !state.Fits(layout))
        {
            state.Dispose();
            state = null;
        }
        state ??= ShardState.Allocate(step, layout);
        state.Step = step;
        return state;
    }

    // The answer T to a request about a copy: ReplicaMissing and silence become the exceptions Replicate and Fetch document.
    private static T Await<T>(Task<object> asked, Address node, string what, TimeSpan timeout)
    {
        object answer;
        try
        {
            answer = asked.GetAwaiter().GetResult();
        }
        catch (AskTimeoutException)
        {
            throw new TimeoutException($"The host {NodeAddress.Of(node)} did not confirm its copy of {what} within {timeout.TotalSeconds:0.###}s.");
        }
        return answer switch
        {
            T expected => expected,
            ReplicaMissing missing => throw new IOException($"The host {NodeAddress.Of(node)} has, or can take, no copy of {what}: {missing.Reason}"),
            _ => throw new IOException($"The host {NodeAddress.Of(node)} answered about a copy of {what} with {answer.GetType().Name}."),
        };
    }

    /// <summary>
    /// <see cref="Replicate"/> on a pool thread: the copy goes while the rank trains the next step. The snapshot must stay
    /// as it is until the task ends (the vault reuses a snapshot as a buffer only <see cref="Depth"/> snapshots later).
    /// </summary>
    public Task ReplicateAsync(IActorRef supervisor, int rank, ShardState snapshot, CollectiveEndpoint buddy, TimeSpan timeout, CancellationToken cancel = default) =>
        Task.Run(() => Replicate(supervisor, rank, snapshot, buddy, timeout, cancel), CancellationToken.None);

    /// <summary>
    /// Rank <paramref name="rank"/>'s snapshot of <paramref name="step"/> from the vault of host <paramref name="holder"/>:
    /// its layout first (<see cref="OfferReplica"/>), then its tensors straight into memory readied here
    /// (<see cref="SendReplica"/>); the caller owns it.
    /// </summary>
    /// <exception cref="IOException">That host has no such copy, or could not send it.</exception>
    /// <exception cref="TimeoutException">That host did not answer within <paramref name="timeout"/>.</exception>
    public ShardState Fetch(IActorRef supervisor, int rank, long step, Address holder, TimeSpan timeout)
    {
        var lane = CollectiveTransport.For(_system).Lane ?? throw new InvalidOperationException("A snapshot copy is fetched over the bulk lane; this process has none.");
        var keeper = KeeperAt(holder);
        string what = $"rank {rank}'s snapshot of step {step}";
        var offered = Await<ReplicaOffered>(keeper.Ask(new OfferReplica(supervisor, rank, step), timeout), holder, what, timeout);
        var state = BufferFor(supervisor, rank, step, offered.Layout);
        long ticket = Random.Shared.NextInt64();
        var arrival = lane.Blobs.ExpectAsync(ticket, new StateTarget(state));
        Await<ReplicaSent>(keeper.Ask(new SendReplica(supervisor, rank, step, lane.Address, ticket), timeout), holder, what, timeout);
        arrival.GetAwaiter().GetResult(); // on a failure the state is let go, not reused: a lane reader may still be inside it
        return state;
    }

    // A state's tensors as the parts of the blob that carries it.
    private sealed class StateTarget(ShardState state) : IBlobTarget
    {
        public int Parts => state.Tensors.Count;

        public Span<byte> Part(int index) => TensorBytes(state, index);
    }

    private ActorSelection KeeperAt(Address node) => _system.ActorSelection(new RootActorPath(node) / "system" / Name);

    private List<ShardState> States(IActorRef supervisor, int rank) => _kept.GetOrAdd((supervisor.Path.ToString(), rank), _ => []);

    private void Forget(IActorRef supervisor)
    {
        string run = supervisor.Path.ToString();
        foreach (var key in _kept.Keys.Where(k => k.Run == run).ToList())
            if (_kept.TryRemove(key, out var states))
                lock (states)
                {
                    foreach (var state in states) state.Dispose();
                    states.Clear();
                }
    }

    // Watches each run's supervisor and drops the run's snapshots when it stops; takes in the copies other hosts' ranks
    // send, and sends a copy to the rank that asks for it.
    private sealed class Keeper : ReceiveActor
    {
        private const int MaxIncoming = 1024; // copies readied and not yet settled; past it the oldest is forgotten

        private readonly HashSet<IActorRef> _watched = [];
        private readonly Dictionary<long, Incoming> _incoming = [];

        public Keeper(SnapshotVault vault)
        {
            var transport = CollectiveTransport.For(Context.System);
            Receive<WatchRun>(watch =>
            {
                if (_watched.Add(watch.Supervisor)) Context.Watch(watch.Supervisor);
            });
            Receive<HoldReplica>(hold =>
            {
                if (transport.Lane is not { } lane)
                {
                    Sender.Tell(new ReplicaMissing("its process has no bulk lane"));
                    return;
                }
                if (Refusal(hold, lane.Settings.MaxBlobBytes) is { } refusal)
                {
                    Sender.Tell(new ReplicaMissing(refusal));
                    return;
                }
                if (_incoming.ContainsKey(hold.Ticket))
                {
                    Sender.Tell(new ReplicaMissing($"a copy under ticket {hold.Ticket:x16} is already on its way"));
                    return;
                }
                var state = vault.BufferFor(hold.Supervisor, hold.Rank, hold.Step, hold.Layout);
                var incoming = new Incoming(hold, state);
                if (_incoming.Count >= MaxIncoming) _incoming.Remove(_incoming.Keys.First());
                _incoming[hold.Ticket] = incoming;
                var self = Self;
                lane.Blobs.ExpectAsync(hold.Ticket, new StateTarget(state)).ContinueWith(arrival =>
                    self.Tell(new Arrived(hold.Ticket, arrival.IsCompletedSuccessfully ? null : arrival.Exception!.GetBaseException().Message)), TaskScheduler.Default);
                Sender.Tell(new ReplicaReady(hold.Ticket));
            });
            Receive<Arrived>(arrived =>
            {
                if (!_incoming.TryGetValue(arrived.Ticket, out var incoming)) return;
                incoming.Done = true;
                incoming.Failure = arrived.Failure;
                // Kept on the keeper's own thread, never beside a SendReplica that reads the copy it would replace. A copy
                // that failed is let go, not reused: a lane reader may still be inside one of its tensors.
                if (arrived.Failure is null) vault.Keep(incoming.Hold.Supervisor, incoming.Hold.Rank, incoming.State);
                Settle(arrived.Ticket, incoming);
            });
            Receive<ReplicaSent>(sent =>
            {
                if (!_incoming.TryGetValue(sent.Ticket, out var incoming))
                {
                    Sender.Tell(new ReplicaMissing($"no copy is expected under ticket {sent.Ticket:x16}"));
                    return;
                }
                incoming.Sender = Sender;
                Settle(sent.Ticket, incoming);
            });
            Receive<OfferReplica>(offer =>
            {
                try
                {
                    Sender.Tell(new ReplicaOffered(vault.Find(offer.Supervisor, offer.Rank, offer.Step).Layout));
                }
                catch (InvalidOperationException e)
                {
                    Sender.Tell(new ReplicaMissing(e.Message));
                }
            });
            // Sent on the keeper's own thread, never beside a copy that replaces the one being read.
            Receive<SendReplica>(send =>
            {
                try
                {
                    if (transport.Lane is not { } lane) throw new InvalidOperationException("its process has no bulk lane");
                    SendParts(lane, send.ToLane, send.Ticket, vault.Find(send.Supervisor, send.Rank, send.Step));
                    Sender.Tell(new ReplicaSent(send.Ticket));
                }
                catch (Exception e) when (e is InvalidOperationException or IOException)
                {
                    Sender.Tell(new ReplicaMissing(e.Message));
                }
            });
            Receive<Terminated>(terminated =>
            {
                _watched.Remove(terminated.ActorRef);
                vault.Forget(terminated.ActorRef);
            });
        }

        // Why a copy of this layout cannot be taken, or null: the layout comes from the wire (any member of the cluster could send it).
        private static string? Refusal(HoldReplica hold, long maxBytes)
        {
            if (hold.Layout.FirstOrDefault(l => !Tensor.IsShape(l.Rank, l.Rows, l.Cols) || l.Bytes > int.MaxValue) is { } bad)
                return $"its tensor '{bad.Name}' of rank {bad.Rank} and shape {bad.Rows} x {bad.Cols} cannot be copied";
            long bytes = hold.Layout.Sum(l => l.Bytes);
            return bytes > maxBytes ? $"a copy of {bytes} bytes is larger than the {maxBytes} bytes this lane accepts (tpactors.cluster.bulk.max-blob)" : null;
        }

        // Answers the rank once both its bytes have arrived (or failed) and it has said they are all sent.
        private void Settle(long ticket, Incoming incoming)
        {
            if (incoming.Sender is not { } sender || !incoming.Done) return;
            _incoming.Remove(ticket);
            sender.Tell(incoming.Failure is { } failure ? new ReplicaMissing(failure) : new ReplicaHeld(incoming.Hold.Rank, incoming.Hold.Step));
        }

        public sealed record WatchRun(IActorRef Supervisor);

        private sealed record Arrived(long Ticket, string? Failure);

        // A copy readied for: its memory, and what is known of it so far.
        private sealed class Incoming(HoldReplica hold, ShardState state)
        {
            public HoldReplica Hold { get; } = hold;
            public ShardState State { get; } = state;
            public bool Done { get; set; }          // its bytes are in, or will never be
            public string? Failure { get; set; }    // why they will never be
            public IActorRef? Sender { get; set; }  // the rank, once it has said every byte is sent
        }
    }

    /// <summary>Akka's handle on the vault.</summary>
    public sealed class SnapshotVaultId : ExtensionIdProvider<SnapshotVault>
    {
        /// <inheritdoc/>
        public override SnapshotVault CreateExtension(ExtendedActorSystem system) => new(system);
    }
}
