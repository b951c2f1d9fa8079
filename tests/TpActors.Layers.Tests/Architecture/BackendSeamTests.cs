using System.Reflection;
using TpActors.Layers.Tensors;

namespace TpActors.Layers.Tests.Architecture;

// Tensor math goes through IBackend: outside Tensors/ (the backends) and Collectives/ (the links and the ring's
// reductions), no type calls TensorPrimitives or computes with System.Numerics vectors, and a tensor's raw Span is read
// only where bytes are moved (checkpoint files, snapshot copies, the codec), checked against float64 references
// (Verification/), or drawn or hashed as host values (MasterWeights, WeightsDigest). Read from the compiled IL, lambdas and
// async methods included.
public sealed class BackendSeamTests
{
    private static readonly Assembly Layers = typeof(ILayersMessage).Assembly;

    private static readonly string[] MathFolders = ["Tensors", "Collectives"];

    private static readonly string[] SpanFolders = [.. MathFolders, "Checkpoints", "Snapshots", "Serialization", "Verification"];

    // Host values drawn from the seeded stream (as a batch source draws its data), and the digest's bytes.
    private static readonly Type[] SpanTypes = [typeof(MasterWeights), typeof(WeightsDigest)];

    private static List<string> Offenders(Func<MemberInfo, bool> isForbidden, string[] allowed, Type[]? allowedTypes = null) =>
        new AssemblyGraph(Layers).Uses
            .Where(kv => !string.IsNullOrEmpty(kv.Key.Namespace) && !allowed.Any(folder => kv.Key.Namespace == $"TpActors.Layers.{folder}"))
            .Where(kv => allowedTypes?.Contains(kv.Key) != true)
            .SelectMany(kv => kv.Value.Where(isForbidden).Select(m => $"{kv.Key.FullName} uses {m.DeclaringType?.Name}.{m.Name}"))
            .Distinct().Order().ToList();

    private static bool IsVectorMath(MemberInfo member) => member.DeclaringType is { } type &&
        (type.FullName == "System.Numerics.Tensors.TensorPrimitives" || type.Namespace == "System.Numerics" && type.Name.StartsWith("Vector", StringComparison.Ordinal));

    private static bool IsRawSpan(MemberInfo member) => member is MethodInfo { Name: "get_Span" or "Row" } method && method.DeclaringType == typeof(Tensor);

    [Fact]
    public void NoTypeOutsideTheBackends_CallsTensorPrimitives_OrVectorMath()
    {
        var offenders = Offenders(IsVectorMath, MathFolders);
        Assert.True(offenders.Count == 0, "Tensor math outside the backend:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void ATensorsRawMemory_IsReadOnlyWhereBytesMoveOrReferencesAreChecked()
    {
        var offenders = Offenders(IsRawSpan, SpanFolders, SpanTypes);
        Assert.True(offenders.Count == 0, "Raw tensor memory outside the backend and I/O:\n" + string.Join("\n", offenders));
    }

    // A test of the test: the walk sees a call to TensorPrimitives where there is one (the CPU backend's own).
    [Fact]
    public void TheWalk_SeesTensorPrimitives_InTheCpuBackend()
    {
        var uses = new AssemblyGraph(Layers).Uses[typeof(CpuBackend)];
        Assert.Contains(uses, IsVectorMath);
        Assert.Contains(uses, IsRawSpan);
    }
}
