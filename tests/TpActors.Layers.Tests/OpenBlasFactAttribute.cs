namespace TpActors.Layers.Tests;

/// <summary>A fact that needs OpenBLAS; skipped, saying so, where libopenblas.so.0 does not load.</summary>
public sealed class OpenBlasFactAttribute : FactAttribute
{
    public OpenBlasFactAttribute()
    {
        if (!CpuBackend.OpenBlasAvailable) Skip = "libopenblas.so.0 does not load on this machine (apt-get install libopenblas0-pthread)";
    }
}
