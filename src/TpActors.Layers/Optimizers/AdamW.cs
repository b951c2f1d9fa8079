using System.Numerics;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Optimizers;

/// <summary>
/// PyTorch's AdamW: <c>w −= lr·λ·w</c>; <c>m = β₁m + (1−β₁)g</c>; <c>v = β₂v + (1−β₂)g²</c>;
/// <c>w −= (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)</c>. Vector and scalar lanes compute each element alike (no fused multiply-add).
/// </summary>
public sealed class AdamW(IReadOnlyList<ParameterShard> parameters, OptimizerSpec spec) : Optimizer(parameters, spec)
{
    /// <inheritdoc/>
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v, long step)
    {
        float b1 = Spec.Beta1, b2 = Spec.Beta2, eps = Spec.Epsilon;
        float keep = 1f - Spec.LearningRate * Spec.WeightDecay;
        float stepSize = (float)(Spec.LearningRate / (1 - Math.Pow(b1, step)));
        float correction2 = (float)Math.Sqrt(1 - Math.Pow(b2, step));
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<float> vB1 = new(b1), vB2 = new(b2), vC1 = new(1 - b1), vC2 = new(1 - b2);
            Vector<float> vKeep = new(keep), vStep = new(stepSize), vCorr = new(correction2), vEps = new(eps);
            for (; i <= w.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var gi = new Vector<float>(g[i..]);
                var mi = vB1 * new Vector<float>(m[i..]) + vC1 * gi;
                var vi = vB2 * new Vector<float>(v[i..]) + vC2 * (gi * gi);
                mi.CopyTo(m[i..]);
                vi.CopyTo(v[i..]);
                var denominator = Vector.SquareRoot(vi) / vCorr + vEps;
                (vKeep * new Vector<float>(w[i..]) - vStep * (mi / denominator)).CopyTo(w[i..]);
            }
        }
        for (; i < w.Length; i++)
        {
            float gi = g[i];
            m[i] = b1 * m[i] + (1 - b1) * gi;
            v[i] = b2 * v[i] + (1 - b2) * (gi * gi);
            float denominator = MathF.Sqrt(v[i]) / correction2 + eps;
            w[i] = keep * w[i] - stepSize * (m[i] / denominator);
        }
    }
}
