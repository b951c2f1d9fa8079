using System.Collections.Concurrent;
using Akka.Actor;
using TpActors.Layers.Collectives;
using TpActors.Runtime.Cluster;

namespace TpActors.Layers.Execution;

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
    /// <paramref name="buddy"/> is: its bytes on that host's lane, then a <see cref="HoldReplica"/>; returns once the copy is
    /// kept there.
    /// </summary>
    /// <exception cref="TimeoutException">The buddy's host did not confirm within <paramref name="timeout"/>.</exception>
    /// <exception cref="IOException">The buddy host's lane cannot be reached.</exception>
    public void Replicate(IActorRef supervisor, int rank, ShardState snapshot, CollectiveEndpoint buddy, TimeSpan timeout)
    {
        var transport = CollectiveTransport.For(_system);
        var letter = (LaneLetter)LaneLetter.Seal(snapshot, buddy.Lane, transport, _system);
        var held = KeeperAt(buddy.Rank.Path.Address).Ask<ReplicaHeld>(new HoldReplica(supervisor, rank, snapshot.Step, letter), timeout);
        try
        {
            held.GetAwaiter().GetResult();
        }
        catch (AskTimeoutException)
        {
            throw new TimeoutException($"The host {NodeAddress.Of(buddy.Rank.Path.Address)} did not confirm its copy of rank {rank}'s snapshot of step {snapshot.Step} within {timeout.TotalSeconds:0.###}s.");
        }
    }

    /// <summary>
    /// <see cref="Replicate"/> on a pool thread: the copy goes while the rank trains the next step. The snapshot must stay
    /// as it is until the task ends (the vault reuses a snapshot as a buffer only <see cref="Depth"/> snapshots later).
    /// </summary>
    public Task ReplicateAsync(IActorRef supervisor, int rank, ShardState snapshot, CollectiveEndpoint buddy, TimeSpan timeout) =>
        Task.Run(() => Replicate(supervisor, rank, snapshot, buddy, timeout));

    /// <summary>Rank <paramref name="rank"/>'s snapshot of <paramref name="step"/> from the vault of host <paramref name="holder"/>, sent to this process's lane; the caller owns it.</summary>
    /// <exception cref="InvalidOperationException">That host has no such copy.</exception>
    /// <exception cref="TimeoutException">That host did not answer within <paramref name="timeout"/>.</exception>
    public ShardState Fetch(IActorRef supervisor, int rank, long step, Address holder, TimeSpan timeout)
    {
        var transport = CollectiveTransport.For(_system);
        var lane = transport.Lane ?? throw new InvalidOperationException("A snapshot copy is fetched over the bulk lane; this process has none.");
        object answer;
        try
        {
            answer = KeeperAt(holder).Ask(new SendReplica(supervisor, rank, step, lane.Address), timeout).GetAwaiter().GetResult();
        }
        catch (AskTimeoutException)
        {
            throw new TimeoutException($"The host {NodeAddress.Of(holder)} did not send rank {rank}'s snapshot of step {step} within {timeout.TotalSeconds:0.###}s.");
        }
        return answer switch
        {
            LaneLetter letter => (ShardState)letter.OpenAsync(transport, _system).GetAwaiter().GetResult(),
            ReplicaMissing missing => throw new InvalidOperationException($"The host {NodeAddress.Of(holder)} cannot send rank {rank}'s snapshot of step {step}: {missing.Reason}"),
            _ => throw new InvalidOperationException($"The host {NodeAddress.Of(holder)} answered a snapshot request with {answer.GetType().Name}."),
        };
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

    // Watches each run's supervisor and drops the run's snapshots when it stops; keeps the copies other hosts' ranks send,
    // and sends a copy to the rank that asks for it.
    private sealed class Keeper : ReceiveActor
    {
        private readonly HashSet<IActorRef> _watched = [];

        public Keeper(SnapshotVault vault)
        {
            var transport = CollectiveTransport.For(Context.System);
            Receive<WatchRun>(watch =>
            {
                if (_watched.Add(watch.Supervisor)) Context.Watch(watch.Supervisor);
            });
            Receive<HoldReplica>(hold =>
            {
                var sender = Sender;
                var self = Self;
                hold.Letter.OpenAsync(transport, Context.System).ContinueWith(opened =>
                {
                    // Kept on the keeper's own thread, never beside a SendReplica that reads the copy it would replace.
                    if (opened.IsCompletedSuccessfully && opened.Result is ShardState state) self.Tell(new Opened(hold, state), sender);
                }, TaskScheduler.Default); // else the sender times out and says so
            });
            Receive<Opened>(opened =>
            {
                vault.Keep(opened.Hold.Supervisor, opened.Hold.Rank, opened.State);
                Sender.Tell(new ReplicaHeld(opened.Hold.Rank, opened.Hold.Step));
            });
            Receive<SendReplica>(send =>
            {
                try
                {
                    var state = vault.Find(send.Supervisor, send.Rank, send.Step);
                    Sender.Tell(LaneLetter.Seal(state, send.ToLane, transport, Context.System));
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

        public sealed record WatchRun(IActorRef Supervisor);

        private sealed record Opened(HoldReplica Hold, ShardState State);
    }

    /// <summary>Akka's handle on the vault.</summary>
    public sealed class SnapshotVaultId : ExtensionIdProvider<SnapshotVault>
    {
        /// <inheritdoc/>
        public override SnapshotVault CreateExtension(ExtendedActorSystem system) => new(system);
    }
}
