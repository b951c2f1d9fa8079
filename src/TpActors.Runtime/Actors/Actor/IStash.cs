namespace TpActors.Runtime.Actors;

/// <summary>Messages set aside by an actor, to be handled later (typically after a <c>Become</c>).</summary>
public interface IStash
{
    /// <summary>Sets the message being handled aside.</summary>
    void Stash();

    /// <summary>Puts the oldest stashed message back in front of the mailbox.</summary>
    void Unstash();

    /// <summary>Puts every stashed message back in front of the mailbox, in the order they were stashed.</summary>
    void UnstashAll();

    /// <summary>Messages currently set aside.</summary>
    int Count { get; }
}
