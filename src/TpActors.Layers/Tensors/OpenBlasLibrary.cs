using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace TpActors.Layers.Tensors;

/// <summary>
/// The process's one copy of OpenBLAS (<c>libopenblas.so.0</c>), loaded on first use, or the reason it is absent.
/// Before loading it sets <c>OPENBLAS_CORETYPE</c> in the native environment (libc <c>setenv</c>; .NET's
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach it) from the CPU's features,
/// unless the user set it: Debian's OpenBLAS 0.3.21 does not recognise recent CPUs and would otherwise run its
/// slow generic ("Prescott") kernels.
/// </summary>
internal sealed unsafe class OpenBlasLibrary
{
    private const string LibraryName = "libopenblas.so.0";
    private const string CoreTypeVariable = "OPENBLAS_CORETYPE";

    private static readonly Lazy<OpenBlasLibrary?> s_instance = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);
    private static string s_unavailableReason = "";

    private readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;
    private readonly delegate* unmanaged<int, void> _setNumThreads;
    private readonly delegate* unmanaged<int> _getNumThreads;

    private OpenBlasLibrary(nint handle, string coreType, bool coreTypeChosenHere)
    {
        _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)NativeLibrary.GetExport(handle, "cblas_sgemm");
        _setNumThreads = (delegate* unmanaged<int, void>)Export(handle, "openblas_set_num_threads");
        _getNumThreads = (delegate* unmanaged<int>)Export(handle, "openblas_get_num_threads");
        var coreName = (delegate* unmanaged<nint>)Export(handle, "openblas_get_corename");
        CoreName = coreName is null ? coreType : Marshal.PtrToStringAnsi(coreName()) ?? coreType;
        CoreTypeSource = coreTypeChosenHere ? "core type chosen from the CPU's features"
            : coreType.Length > 0 ? $"{CoreTypeVariable} from the environment" : "core type detected by OpenBLAS";
    }

    /// <summary>The loaded library, or null when it cannot be loaded (see <see cref="UnavailableReason"/>).</summary>
    public static OpenBlasLibrary? Instance => s_instance.Value;

    /// <summary>Why <see cref="Instance"/> is null.</summary>
    public static string UnavailableReason { get { _ = s_instance.Value; return s_unavailableReason; } }

    /// <summary>The kernel family OpenBLAS runs, as it reports it (e.g. "SkylakeX").</summary>
    public string CoreName { get; }

    /// <summary>Where the core type came from.</summary>
    public string CoreTypeSource { get; }

    /// <summary>The process-wide OpenBLAS thread count (OpenBLAS has no per-call setting).</summary>
    public int Threads
    {
        get => _getNumThreads is null ? 1 : _getNumThreads();
        set { if (_setNumThreads is not null) _setNumThreads(Math.Max(1, value)); }
    }

    /// <summary><c>cblas_sgemm</c> in row-major order: C = alpha·op(A)·op(B) + beta·C.</summary>
    public void Sgemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        const int RowMajor = 101, NoTrans = 111, Trans = 112;
        _sgemm(RowMajor, transposeA ? Trans : NoTrans, transposeB ? Trans : NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    private static OpenBlasLibrary? Load()
    {
        string? userCoreType = Environment.GetEnvironmentVariable(CoreTypeVariable);
        string coreType = userCoreType ?? CoreTypeForThisCpu() ?? "";
        bool chosenHere = userCoreType is null && coreType.Length > 0;
        if (chosenHere && OperatingSystem.IsLinux()) _ = SetEnv(CoreTypeVariable, coreType, overwrite: 0);
        if (!NativeLibrary.TryLoad(LibraryName, typeof(OpenBlasLibrary).Assembly, null, out var handle))
        {
            s_unavailableReason = $"{LibraryName} did not load (install libopenblas0-pthread)";
            return null;
        }
        if (!NativeLibrary.TryGetExport(handle, "cblas_sgemm", out _))
        {
            s_unavailableReason = $"{LibraryName} has no cblas_sgemm";
            return null;
        }
        return new OpenBlasLibrary(handle, coreType, chosenHere);
    }

    // AVX-512 → SkylakeX kernels, AVX2 → Haswell kernels; otherwise let OpenBLAS decide.
    private static string? CoreTypeForThisCpu() =>
        Avx512F.IsSupported ? "SkylakeX" : Avx2.IsSupported ? "Haswell" : null;

    private static void* Export(nint handle, string name) =>
        NativeLibrary.TryGetExport(handle, name, out var address) ? (void*)address : null;

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
}
