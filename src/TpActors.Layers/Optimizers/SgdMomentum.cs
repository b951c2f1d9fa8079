using System.Numerics;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Optimizers;

/// <summary>
/// PyTorch's SGD with momentum (no dampening, no Nesterov): <c>g' = g + λw</c>, <c>v = μv + g'</c>, <c>w −= lr·v</c>.
/// Vector and scalar lanes compute each element with the same operations in the same order (no fused multiply-add), so
/// the result of an element does not depend on where it falls in the shard.
/// </summary>
public sealed class SgdMomentum(IReadOnlyList<ParameterShard> parameters, OptimizerSpec spec) : Optimizer(parameters, spec)
{
    /// <inheritdoc/>
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, Span<float> v, Span<float> unused, long step)
    {
        float lr = Spec.LearningRate, mu = Spec.Momentum, decay = Spec.WeightDecay;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vLr = new Vector<float>(lr);
            var vMu = new Vector<float>(mu);
            var vDecay = new Vector<float>(decay);
            for (; i <= w.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var wi = new Vector<float>(w[i..]);
                var gi = new Vector<float>(g[i..]) + vDecay * wi;
                var vi = vMu * new Vector<float>(v[i..]) + gi;
                vi.CopyTo(v[i..]);
                (wi - vLr * vi).CopyTo(w[i..]);
            }
        }
        for (; i < w.Length; i++)
        {
            float gi = g[i] + decay * w[i];
            v[i] = mu * v[i] + gi;
            w[i] -= lr * v[i];
        }
    }
}
