namespace TpActors.Host.Tests;

/// <summary>
/// A theory that runs a plain PyTorch model beside TpActors: skipped, saying so, where Debian's python3-torch is not
/// installed (<c>/usr/bin/python3</c> cannot import torch). <c>.ci/run</c> installs it.
/// </summary>
public sealed class TorchTheoryAttribute : TheoryAttribute
{
    private static readonly Lazy<string?> Missing = new(TpActors.Host.Bench.PyTorchPeer.Missing);

    public TorchTheoryAttribute()
    {
        if (Missing.Value is { } why) Skip = $"needs PyTorch (.ci/run installs Debian's python3-torch): {why}";
    }
}
