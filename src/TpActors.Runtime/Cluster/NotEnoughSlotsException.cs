namespace TpActors.Runtime.Cluster;

/// <summary>A job cannot be placed, and waiting will not help: the hosts that can serve it (that prove the cluster's secret) have too few slots.</summary>
public sealed class NotEnoughSlotsException(string message) : Exception(message);
