using System.Diagnostics;
using System.Runtime.Intrinsics.X86;
using TpActors.Layers.Tensors;

namespace TpActors.Host.Tests.Commands;

// OPENBLAS_CORETYPE has to be in the native environment before OpenBLAS loads, so each case runs tpactors in a fresh process.
public sealed class OpenBlasCoreTypeTests
{
    [Fact]
    public void Unset_TheCoreTypeIsChosenFromTheCpu_BeforeOpenBlasLoads()
    {
        string backend = BackendLine(coreType: null);
        if (!CpuBackend.OpenBlasAvailable) { Assert.Contains("OpenBLAS not used", backend); return; }
        string expected = Avx512F.IsSupported ? "SkylakeX" : Avx2.IsSupported ? "Haswell" : "";
        Assert.Contains(expected.Length > 0 ? $"openblas ({expected}, core type chosen from the CPU's features)" : "core type detected by OpenBLAS", backend);
    }

    [Fact]
    public void SetByTheUser_ItIsKept()
    {
        string backend = BackendLine(coreType: "Sandybridge");
        if (!CpuBackend.OpenBlasAvailable) { Assert.Contains("OpenBLAS not used", backend); return; }
        Assert.Contains("openblas (Sandybridge, OPENBLAS_CORETYPE from the environment)", backend);
    }

    private static string BackendLine(string? coreType)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(typeof(TpActorsCli).Assembly.Location);
        foreach (var arg in new[] { "verify", "--tp", "1" }) start.ArgumentList.Add(arg);
        start.Environment.Remove("OPENBLAS_CORETYPE");
        if (coreType is not null) start.Environment["OPENBLAS_CORETYPE"] = coreType;
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, output + error);
        return output.Split('\n').Single(l => l.StartsWith("backend: ", StringComparison.Ordinal));
    }
}
