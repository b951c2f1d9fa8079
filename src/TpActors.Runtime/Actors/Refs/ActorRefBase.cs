namespace TpActors.Runtime.Actors;

/// <summary>
/// The equality every ref shares: the same path and the same incarnation (uid). A ref to an actor that was stopped and
/// started again under the same name is not equal to a ref to the new actor.
/// </summary>
internal abstract class ActorRefBase(ActorPath path, long uid) : IActorRef
{
    public ActorPath Path { get; } = path;

    /// <summary>Tells incarnations apart; unique within one actor system.</summary>
    public long Uid { get; } = uid;

    public abstract void Tell(object message, IActorRef? sender);

    public bool Equals(IActorRef? other) =>
        other is ActorRefBase o && (ReferenceEquals(this, o) || (Uid == o.Uid && Path.Equals(o.Path)));

    public override bool Equals(object? obj) => obj is IActorRef other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Path, Uid);

    public override string ToString() => $"[{Path}#{Uid}]";
}
