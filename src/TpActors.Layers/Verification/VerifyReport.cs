using TpActors.Layers.Tensors;

namespace TpActors.Layers.Verification;

/// <summary>The outcome of a verification run.</summary>
/// <param name="Options">What was run.</param>
/// <param name="Checks">One row per compared tensor, plus the cross-rank identity check.</param>
/// <param name="Backend">The ranks' backend and threads.</param>
/// <param name="Elapsed">Wall time of the whole run, from starting the ranks to the last comparison.</param>
/// <param name="MlpTensors">The MLP check's full tensors by name (x, w1, b1, w2, b2, y, dy, dx, dw1, db1, dw2, db2), for dumping.</param>
public sealed record VerifyReport(VerifyOptions Options, IReadOnlyList<CheckResult> Checks, string Backend, TimeSpan Elapsed, IReadOnlyDictionary<string, Tensor> MlpTensors)
{
    /// <summary>True when every check passed.</summary>
    public bool Passed => Checks.All(c => c.Passed);

    /// <summary>The names of the dumped MLP tensors, in order (the bias ones only with biases).</summary>
    public static readonly IReadOnlyList<string> DumpNames = ["x", "w1", "b1", "w2", "b2", "y", "dy", "dx", "dw1", "db1", "dw2", "db2"];
}
