using TpActors.Layers.Tensors;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Optimizers;

/// <summary>
/// PyTorch's SGD with momentum (no dampening, no Nesterov): <c>g' = g + λw</c>, <c>v = μv + g'</c>, <c>w −= lr·v</c>
/// (the backend's <see cref="IBackend.SgdMomentumStep"/>).
/// </summary>
public sealed class SgdMomentum(IBackend backend, IReadOnlyList<ParameterShard> parameters, OptimizerSpec spec, Func<string, bool>? decays = null)
    : Optimizer(backend, parameters, spec, decays)
{
    private SgdMomentumUpdate _update, _updateWithoutDecay;

    /// <inheritdoc/>
    protected override void BeginStep(long step, float learningRate)
    {
        _update = new(learningRate, Spec.Momentum, Spec.WeightDecay);
        _updateWithoutDecay = new(learningRate, Spec.Momentum, 0);
    }

    /// <inheritdoc/>
    protected override void Update(ParameterShard parameter, Tensor[] state, Tensor[]? copyTo, bool decays) =>
        Backend.SgdMomentumStep(decays ? _update : _updateWithoutDecay, parameter.Value, parameter.Gradient, state[0], copyTo);
}
