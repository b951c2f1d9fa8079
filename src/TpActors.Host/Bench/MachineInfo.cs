using System.Runtime.InteropServices;

namespace TpActors.Host.Bench;

/// <summary>The machine a bench ran on, as printed beside its figures.</summary>
/// <param name="Cores">Logical processors available to the process.</param>
/// <param name="Cpu">The CPU model, from /proc/cpuinfo where there is one.</param>
/// <param name="Backend">The tensor backend the figures used ("none" for benches without tensors).</param>
public sealed record MachineInfo(int Cores, string Cpu, string Backend)
{
    /// <summary>This machine.</summary>
    public static MachineInfo Current(string backend) => new(Environment.ProcessorCount, CpuModel(), backend);

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null) return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}
