using System.Runtime;
using Akka.Actor;
using TpActors.Runtime.Cluster;
using TpActors.Runtime.Configuration;

namespace TpActors.Host;

/// <summary>
/// Multi-core JIT for the command line's start: the runtime records which methods a run compiles in a profile beside the
/// binary, one per command, and the next run of that command compiles them ahead on the other core while it works. Starting
/// Akka's actor system compiles about 2,000 methods; this takes much of that off the critical path. Commands that time or run
/// the ranks' kernels at size (train, bench) stop recording once the actor system is up, so their kernels are never in the
/// profile and stay compiled fully optimized at their first call; verify, whose whole run is start-up work on tiny tensors,
/// records all of it. Where the binary's folder cannot be written the runtime records nothing and the program starts as it
/// would without a profile.
/// </summary>
internal static class JitProfile
{
    /// <summary>The profile's file name for the command <paramref name="command"/>, in the binary's folder.</summary>
    public static string FileName(string command) => $"tpactors-{command}.jitprofile";

    /// <summary>Starts recording the profile of the command <paramref name="args"/> names, and replaying its previous run's.</summary>
    public static void Start(string[] args)
    {
        // Only a command word names a profile: anything else (a typo, --help) would only litter the folder.
        string command = args.Length > 0 && args[0] is "verify" or "train" or "bench" or "config" or "checkpoint" ? args[0] : "";
        if (command.Length == 0) return;
        ProfileOptimization.SetProfileRoot(AppContext.BaseDirectory);
        ProfileOptimization.StartProfile(FileName(command));
    }

    /// <summary>
    /// A command's actor system (see <see cref="AkkaBootstrap"/>); unless <paramref name="recordWholeRun"/>, the profile ends
    /// once it is up.
    /// </summary>
    public static ActorSystem CreateActorSystem(string name, HoconConfig config, bool recordWholeRun = false)
    {
        var system = AkkaBootstrap.Create(name, config);
        if (!recordWholeRun) ProfileOptimization.StartProfile(null); // stops recording and replaying: what follows is the command's own work
        return system;
    }
}
