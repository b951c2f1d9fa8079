namespace TpActors.Host.Cluster;

/// <summary>Ends a cluster job when the command is done with it: releases its slots and leaves the cluster.</summary>
internal sealed class JobEnd(ClusterJob job) : IDisposable
{
    public void Dispose() => job.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
