namespace TpActors.Runtime.Actors;

/// <summary>What can make actors and look them up: the <see cref="ActorSystem"/> (top-level actors under /user) and an actor's <see cref="IActorContext"/> (its children).</summary>
public interface IActorRefFactory
{
    /// <summary>Starts a new actor; it is ready for messages when this returns (they queue until it has started).</summary>
    /// <param name="props">What to make and how to run it.</param>
    /// <param name="name">A name unique among its live siblings, or null to let the system choose one.</param>
    /// <exception cref="InvalidActorNameException">The name breaks the naming rule or is taken.</exception>
    IActorRef ActorOf(Props props, string? name = null);

    /// <summary>A selection of actors by path: absolute (<c>/user/a/b</c> or <c>tpactors://sys/user/a</c>) or relative (<c>../sibling</c>); <c>*</c> and <c>?</c> match within an element.</summary>
    ActorSelection ActorSelection(string path);
}
