using System.Runtime;

namespace TpActors.Host;

/// <summary>
/// Multi-core JIT for the command line's start: the runtime records which methods a run compiles in a profile beside the
/// binary, and the next run compiles them ahead on another core while the first one works. Starting Akka's actor system
/// compiles about 2,000 methods; this takes much of that off the critical path. Where the binary's folder cannot be written
/// (an installed, read-only copy) the runtime records nothing and the program starts as it would without a profile.
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
}
