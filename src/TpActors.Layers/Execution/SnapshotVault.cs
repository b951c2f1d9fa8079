using System.Collections.Concurrent;
using Akka.Actor;
using TpActors.Runtime.Cluster;

namespace TpActors.Layers.Execution;

/// <summary>
/// The in-memory snapshots of a process's ranks whose supervisor is in another process (an Akka extension): a rank's
/// snapshot stays on its own host, so a step costs no transfer of state to the driver; a restarted or replaced rank on
/// the same host restores from it. Per rank, the last two snapshots are kept (the committed one, and the one being taken,
/// which a failure may leave uncommitted); the older one is the buffer the next snapshot is written into. Everything a
/// run kept is dropped when its supervisor stops (DeathWatch, also when the driver's process dies).
/// </summary>
public sealed class SnapshotVault : IExtension
{
    private readonly ConcurrentDictionary<(string Run, int Rank), List<ShardState>> _kept = new();
    private readonly IActorRef _keeper;

    private SnapshotVault(ExtendedActorSystem system) =>
        _keeper = system.SystemActorOf(Props.Create(() => new Keeper(this)), "snapshot-vault");

    /// <summary>The vault of <paramref name="system"/>.</summary>
    public static SnapshotVault For(ActorSystem system) => system.WithExtension<SnapshotVault, SnapshotVaultId>();

    /// <summary>The buffer for rank <paramref name="rank"/>'s next snapshot: its older kept snapshot when it has two (the newer is committed), else null.</summary>
    public ShardState? TakeBuffer(IActorRef supervisor, int rank)
    {
        var states = States(supervisor, rank);
        lock (states)
        {
            if (states.Count < 2) return null;
            var oldest = states.MinBy(s => s.Step)!;
            states.Remove(oldest);
            return oldest;
        }
    }

    /// <summary>Keeps <paramref name="state"/> (it belongs to the vault now), dropping all but the newest other snapshot.</summary>
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
            while (states.Count >= 2)
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

    // Watches each run's supervisor and drops the run's snapshots when it stops.
    private sealed class Keeper : ReceiveActor
    {
        private readonly HashSet<IActorRef> _watched = [];

        public Keeper(SnapshotVault vault)
        {
            Receive<WatchRun>(watch =>
            {
                if (_watched.Add(watch.Supervisor)) Context.Watch(watch.Supervisor);
            });
            Receive<Terminated>(terminated =>
            {
                _watched.Remove(terminated.ActorRef);
                vault.Forget(terminated.ActorRef);
            });
        }

        public sealed record WatchRun(IActorRef Supervisor);
    }

    /// <summary>Akka's handle on the vault.</summary>
    public sealed class SnapshotVaultId : ExtensionIdProvider<SnapshotVault>
    {
        /// <inheritdoc/>
        public override SnapshotVault CreateExtension(ExtendedActorSystem system) => new(system);
    }
}
