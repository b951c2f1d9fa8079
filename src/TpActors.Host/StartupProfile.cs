using System.Runtime;
using Akka.Actor;
using TpActors.Runtime.Cluster;
using TpActors.Runtime.Configuration;

namespace TpActors.Host;

/// <summary>
/// Multi-core JIT for the command line's start: the runtime records which methods a run compiles until its actor system is
/// up in a profile beside the binary, and the next run compiles them ahead on the other core while the first one works.
/// Starting Akka's actor system compiles about 2,000 methods; this takes much of that off the critical path. Recording stops
/// once the system is up, so the ranks' kernels are never in the profile and stay compiled fully optimized at their first call.
/// Where the binary's folder cannot be written the runtime records nothing and the program starts as it would without it.
/// </summary>
internal static class StartupProfile
{
    /// <summary>The profile's file name, in the binary's folder.</summary>
    public const string FileName = "tpactors.jitprofile";

    /// <summary>Starts recording the profile, and replaying the previous run's.</summary>
    public static void Start()
    {
        ProfileOptimization.SetProfileRoot(AppContext.BaseDirectory);
        ProfileOptimization.StartProfile(FileName);
    }

    /// <summary>A command's actor system (see <see cref="AkkaBootstrap"/>); the profile ends once it is up.</summary>
    public static ActorSystem CreateActorSystem(string name, HoconConfig config)
    {
        var system = AkkaBootstrap.Create(name, config);
        ProfileOptimization.StartProfile(null); // stops recording and replaying: what follows is the command's own work
        return system;
    }
}
