using TpActors.Layers.Tensors;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Optimizers;

/// <summary>
/// PyTorch's AdamW: <c>w −= lr·λ·w</c>; <c>m = β₁m + (1−β₁)g</c>; <c>v = β₂v + (1−β₂)g²</c>;
/// <c>w −= (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)</c> (the backend's <see cref="IBackend.AdamWStep"/>).
/// </summary>
public sealed class AdamW(IBackend backend, IReadOnlyList<ParameterShard> parameters, OptimizerSpec spec) : Optimizer(backend, parameters, spec)
{
    private AdamWUpdate _update;

    /// <inheritdoc/>
    protected override void BeginStep(long step) =>
        _update = AdamWUpdate.At(step, Spec.LearningRate, Spec.Beta1, Spec.Beta2, Spec.Epsilon, Spec.WeightDecay);

    /// <inheritdoc/>
    protected override void Update(ParameterShard parameter, Tensor[] state, Tensor[]? copyTo) =>
        Backend.AdamWStep(_update, parameter.Value, parameter.Gradient, state[0], state[1], copyTo);
}
