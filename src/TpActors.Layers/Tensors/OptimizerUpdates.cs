namespace TpActors.Layers.Tensors;

/// <summary>
/// One step of PyTorch's SGD with momentum (no dampening, no Nesterov), as a backend runs it element-wise:
/// <c>g' = g + λw</c>, <c>v = μv + g'</c>, <c>w −= lr·v</c>.
/// </summary>
/// <param name="LearningRate">lr.</param>
/// <param name="Momentum">μ.</param>
/// <param name="WeightDecay">λ.</param>
public readonly record struct SgdMomentumUpdate(float LearningRate, float Momentum, float WeightDecay);

/// <summary>
/// One step of PyTorch's AdamW, as a backend runs it element-wise, with the step's bias corrections already worked out:
/// <c>m = β₁m + (1−β₁)g</c>; <c>v = β₂v + (1−β₂)g²</c>; <c>w = keep·w − stepSize · m / (√v / correction2 + ε)</c>.
/// </summary>
/// <param name="Beta1">β₁.</param>
/// <param name="Beta2">β₂.</param>
/// <param name="Epsilon">ε.</param>
/// <param name="Keep">1 − lr·λ: the decoupled weight decay.</param>
/// <param name="StepSize">lr / (1 − β₁ᵗ).</param>
/// <param name="Correction2">√(1 − β₂ᵗ).</param>
public readonly record struct AdamWUpdate(float Beta1, float Beta2, float Epsilon, float Keep, float StepSize, float Correction2)
{
    /// <summary>Step <paramref name="step"/> (from 1) of AdamW with these hyperparameters.</summary>
    public static AdamWUpdate At(long step, float learningRate, float beta1, float beta2, float epsilon, float weightDecay) => new(
        beta1, beta2, epsilon,
        Keep: 1f - learningRate * weightDecay,
        StepSize: (float)(learningRate / (1 - Math.Pow(beta1, step))),
        Correction2: (float)Math.Sqrt(1 - Math.Pow(beta2, step)));
}
