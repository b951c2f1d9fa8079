namespace TpActors.Host.Tests;

/// <summary>A test that drives a real browser: skipped, saying so, where Debian's chromium is not installed (<c>.ci/run</c> installs it).</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    /// <summary>Debian's chromium.</summary>
    public const string Chromium = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Chromium)) Skip = $"needs a browser: {Chromium} is absent (Debian's chromium package; .ci/run installs it)";
    }
}
