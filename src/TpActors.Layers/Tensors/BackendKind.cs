namespace TpActors.Layers.Tensors;

/// <summary>Which GEMM a <see cref="CpuBackend"/> uses (setting <c>tpactors.tensors.backend</c>).</summary>
public enum BackendKind
{
    /// <summary>OpenBLAS when <c>libopenblas.so.0</c> loads, the managed kernel otherwise.</summary>
    Auto,

    /// <summary>OpenBLAS, or an error when it does not load.</summary>
    OpenBlas,

    /// <summary>The managed SIMD kernel.</summary>
    Managed,
}
