namespace TpActors.Layers.Training;

/// <summary>How an injected fault makes a rank fail.</summary>
public enum FaultKind
{
    /// <summary>The rank throws; its supervisor restarts it.</summary>
    Throw,

    /// <summary>The rank stops answering; the phase timeout catches it, and it is stopped and replaced.</summary>
    Hang,

    /// <summary>The rank actor stops itself; DeathWatch tells the supervisor.</summary>
    Stop,

    /// <summary>The whole process dies on the spot (midway through its file in the checkpoint phase): a power cut, for crash-safety tests.</summary>
    Kill,
}
