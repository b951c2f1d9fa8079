namespace TpActors.Host.Tests;

/// <summary>
/// A fact that mounts a small or read-only file system in a private mount namespace (<c>unshare -m</c>, which needs root);
/// skipped, saying so, where that is not possible. CI runs as root.
/// </summary>
public sealed class MountFactAttribute : FactAttribute
{
    public MountFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists("/usr/bin/unshare"))
            Skip = "needs root and unshare (util-linux) to mount over a path (a full or read-only tmpfs, a library hidden) in a private mount namespace";
    }
}
