namespace TpActors.Layers.Tensors;

/// <summary>What this process has taken from the machine: its peak resident memory, to set beside a <see cref="MemoryBudget"/>'s estimate.</summary>
public static class ProcessMemory
{
    /// <summary>The most resident memory this process has held so far (Linux's VmHWM), in bytes; null where the kernel does not say.</summary>
    public static long? PeakBytes
    {
        get
        {
            try
            {
                foreach (string line in File.ReadLines("/proc/self/status"))
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
            }
            return null;
        }
    }
}
