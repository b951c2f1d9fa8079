using Akka.Actor;

namespace TpActors.Runtime.Cluster;

/// <summary>
/// The actor that holds a job's slot leases on the driver (hosts watch it: when it stops, they free the job's slots) and
/// passes what hosts tell the job, a <see cref="HostDraining"/>, to the job's supervisor.
/// </summary>
public sealed class LeaseHolder : ReceiveActor
{
    private readonly List<IActorRef> _watchers = [];
    private readonly List<HostDraining> _draining = []; // told before a watcher came

    /// <summary>A holder with no watcher yet.</summary>
    public LeaseHolder()
    {
        Receive<WatchLease>(watch =>
        {
            _watchers.Add(watch.Watcher);
            foreach (var draining in _draining) watch.Watcher.Tell(draining);
        });
        Receive<HostDraining>(draining =>
        {
            _draining.Add(draining);
            foreach (var watcher in _watchers) watcher.Tell(draining);
        });
    }

    /// <summary>Props for a holder.</summary>
    public static Props Props() => Akka.Actor.Props.Create(() => new LeaseHolder());
}
