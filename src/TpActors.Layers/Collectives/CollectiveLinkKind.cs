namespace TpActors.Layers.Collectives;

/// <summary>What carries a group's messages between two ranks, from the cheapest to the dearest.</summary>
public enum CollectiveLinkKind
{
    /// <summary>Both ranks are in one process: a message is handed over in memory.</summary>
    InProcess,

    /// <summary>The ranks' processes are on one machine: chunk payloads go through a ring in /dev/shm, headers over TCP.</summary>
    SharedMemory,

    /// <summary>The ranks' processes are on different machines (or rings are off): everything goes over TCP.</summary>
    Tcp,
}

/// <summary>Names of <see cref="CollectiveLinkKind"/> as pages, traces and metrics show them.</summary>
public static class CollectiveLinkKinds
{
    /// <summary>"in-process", "shm" or "tcp".</summary>
    public static string Name(CollectiveLinkKind kind) => kind switch
    {
        CollectiveLinkKind.InProcess => "in-process",
        CollectiveLinkKind.SharedMemory => "shm",
        _ => "tcp",
    };
}
