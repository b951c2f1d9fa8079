using TpActors.Layers.Tensors;

namespace TpActors.Layers.Models;

/// <summary>A training loss over a model's whole output, computed alike on every rank.</summary>
public interface ILoss
{
    /// <summary>
    /// The loss of <paramref name="output"/> against <paramref name="targets"/>, writing dL/d output into
    /// <paramref name="gradient"/>, computed on <paramref name="backend"/>; every rank holding the same output gets the same bits.
    /// </summary>
    double Compute(IBackend backend, Tensor output, Tensor targets, Tensor gradient);
}
