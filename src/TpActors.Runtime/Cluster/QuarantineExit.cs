using Akka.Actor;
using Akka.Remote;

namespace TpActors.Runtime.Cluster;

/// <summary>
/// Stops a host whose peers have quarantined it: it was downed and removed while frozen (SIGSTOP) or cut off, and its
/// cluster will never take it back under this identity. Left running it would be a cluster of its own (it may even down
/// the others in its own view); it stops instead, and is restarted to rejoin.
/// </summary>
public sealed class QuarantineExit : ReceiveActor
{
    /// <summary>An actor that reports through <paramref name="report"/> and shuts the system down once this node is quarantined.</summary>
    public QuarantineExit(Action<string>? report)
    {
        Receive<ThisActorSystemQuarantinedEvent>(e =>
        {
            report?.Invoke($"host: {NodeAddress.Of(e.RemoteAddress)} quarantined this node (it was removed from the cluster); exiting");
            CoordinatedShutdown.Get(Context.System).Run(CoordinatedShutdown.ClusterDowningReason.Instance);
        });
    }

    /// <summary>Props for the watcher.</summary>
    public static Props Props(Action<string>? report) => Akka.Actor.Props.Create(() => new QuarantineExit(report));

    /// <inheritdoc/>
    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(ThisActorSystemQuarantinedEvent));
}
