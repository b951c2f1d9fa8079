using TpActors.Layers.Tensors;

namespace TpActors.Layers.Verification;

/// <summary>The outcome of a verification run.</summary>
/// <param name="Options">What was run.</param>
/// <param name="Checks">One row per compared tensor, plus the cross-rank identity check.</param>
/// <param name="Backend">The ranks' backend and threads.</param>
/// <param name="Elapsed">Wall time of the whole run, from starting the ranks to the last comparison.</param>
/// <param name="Tensors">The checked model's full tensors (inputs, weights, outputs, gradients), in order, for dumping.</param>
public sealed record VerifyReport(VerifyOptions Options, IReadOnlyList<CheckResult> Checks, string Backend, TimeSpan Elapsed, IReadOnlyList<DumpedTensor> Tensors)
{
    /// <summary>True when every check passed.</summary>
    public bool Passed => Checks.All(c => c.Passed);
}

/// <summary>
/// One tensor of a verification's dump: written to <c>File.npy</c>, named <paramref name="Name"/> as PyTorch would name it
/// (a parameter's name in the module, or a gradient's "grad." before it).
/// </summary>
/// <param name="File">The file's name without ".npy".</param>
/// <param name="Name">The tensor in PyTorch's naming.</param>
/// <param name="Kind">input, parameter, output or gradient.</param>
/// <param name="Tensor">The values.</param>
/// <param name="Transposed">True when the file holds the transpose of PyTorch's layout (an nn.Linear weight kept [in, out]).</param>
public sealed record DumpedTensor(string File, string Name, string Kind, Tensor Tensor, bool Transposed = false);
