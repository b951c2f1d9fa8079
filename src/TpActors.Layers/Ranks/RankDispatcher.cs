using Akka.Actor;
using TpActors.Runtime.Configuration;

namespace TpActors.Layers.Ranks;

/// <summary>
/// The Akka dispatcher rank actors run on, declared in reference.conf at <see cref="Id"/>: a pinned dispatcher, one thread
/// per rank, standing for its device. A rank blocks that thread inside a collective, so it never runs on a shared pool.
/// </summary>
public static class RankDispatcher
{
    /// <summary>The dispatcher's id: its path in the configuration.</summary>
    public const string Id = "tpactors.ranks.dispatcher";

    /// <summary>
    /// Makes the dispatcher known to <paramref name="system"/> when its configuration lacks it (a user's own actor system,
    /// built from a config without the <c>tpactors</c> section): reference.conf's declaration becomes a fallback.
    /// </summary>
    public static void EnsureConfigured(ActorSystem system)
    {
        if (system.Settings.Config.HasPath(Id)) return;
        var reference = AkkaConfiguration.From(ConfigFactory.Reference);
        system.Settings.InjectTopLevelFallback(reference.GetValue(ConfigLoader.Namespace).AtKey(ConfigLoader.Namespace));
    }
}
