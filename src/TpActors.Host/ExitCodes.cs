namespace TpActors.Host;

/// <summary>The process exit codes every command uses.</summary>
public static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>A check failed or the input (configuration, data) is bad; the reason is on stderr.</summary>
    public const int Failure = 1;

    /// <summary>The command line itself is wrong: unknown command or option, missing argument.</summary>
    public const int Usage = 2;
}
