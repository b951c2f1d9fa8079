using TpActors.Layers.Tensors;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Optimizers;

/// <summary>
/// PyTorch's AdamW: <c>w −= lr·λ·w</c>; <c>m = β₁m + (1−β₁)g</c>; <c>v = β₂v + (1−β₂)g²</c>;
/// <c>w −= (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)</c> (the backend's <see cref="IBackend.AdamWStep"/>).
/// </summary>
public sealed class AdamW(IBackend backend, IReadOnlyList<ParameterShard> parameters, OptimizerSpec spec, Func<string, bool>? decays = null)
    : Optimizer(backend, parameters, spec, decays)
{
    private AdamWUpdate _update, _updateWithoutDecay;

    /// <inheritdoc/>
    protected override void BeginStep(long step, float learningRate)
    {
        _update = AdamWUpdate.At(step, learningRate, Spec.Beta1, Spec.Beta2, Spec.Epsilon, Spec.WeightDecay);
        _updateWithoutDecay = AdamWUpdate.At(step, learningRate, Spec.Beta1, Spec.Beta2, Spec.Epsilon, 0);
    }

    /// <inheritdoc/>
    protected override void Update(ParameterShard parameter, Tensor[] state, Tensor[]? copyTo, bool decays) =>
        Backend.AdamWStep(decays ? _update : _updateWithoutDecay, parameter.Value, parameter.Gradient, state[0], state[1], copyTo);
}
