using TpActors.Layers.Tensors;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Optimizers;

/// <summary>
/// PyTorch's SGD with momentum (no dampening, no Nesterov): <c>g' = g + λw</c>, <c>v = μv + g'</c>, <c>w −= lr·v</c>
/// (the backend's <see cref="IBackend.SgdMomentumStep"/>).
/// </summary>
public sealed class SgdMomentum(IBackend backend, IReadOnlyList<ParameterShard> parameters, OptimizerSpec spec) : Optimizer(backend, parameters, spec)
{
    private readonly SgdMomentumUpdate _update = new(spec.LearningRate, spec.Momentum, spec.WeightDecay);

    /// <inheritdoc/>
    protected override void Update(ParameterShard parameter, Tensor[] state, Tensor[]? copyTo) =>
        Backend.SgdMomentumStep(_update, parameter.Value, parameter.Gradient, state[0], copyTo);
}
