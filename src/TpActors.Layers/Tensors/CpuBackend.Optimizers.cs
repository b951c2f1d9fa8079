using System.Numerics;

namespace TpActors.Layers.Tensors;

// The optimizers' updates as fused element-wise kernels. Vector and scalar lanes compute each element with the same
// operations in the same order (no fused multiply-add), so an element's result does not depend on where it falls in a
// shard. A parameter is updated in blocks small enough that a block's values and state are still in cache when a snapshot
// copies them out.
public sealed partial class CpuBackend
{
    // Elements updated at a time.
    private const int BlockElements = 8192;

    /// <inheritdoc/>
    public void SgdMomentumStep(SgdMomentumUpdate update, Tensor w, Tensor g, Tensor v, Tensor[]? copyTo = null)
    {
        RequireStepShapes(w, g, v, null, copyTo, 2);
        Span<float> ws = w.Span, vs = v.Span;
        ReadOnlySpan<float> gs = g.Span;
        for (int start = 0; start < ws.Length; start += BlockElements)
        {
            int n = Math.Min(BlockElements, ws.Length - start);
            SgdMomentum(update, ws.Slice(start, n), gs.Slice(start, n), vs.Slice(start, n));
            if (copyTo is null) continue;
            StreamingCopy.Run(ws.Slice(start, n), copyTo[0].Span.Slice(start, n));
            StreamingCopy.Run(vs.Slice(start, n), copyTo[1].Span.Slice(start, n));
        }
    }

    /// <inheritdoc/>
    public void AdamWStep(AdamWUpdate update, Tensor w, Tensor g, Tensor m, Tensor v, Tensor[]? copyTo = null)
    {
        RequireStepShapes(w, g, m, v, copyTo, 3);
        Span<float> ws = w.Span, ms = m.Span, vs = v.Span;
        ReadOnlySpan<float> gs = g.Span;
        for (int start = 0; start < ws.Length; start += BlockElements)
        {
            int n = Math.Min(BlockElements, ws.Length - start);
            AdamW(update, ws.Slice(start, n), gs.Slice(start, n), ms.Slice(start, n), vs.Slice(start, n));
            if (copyTo is null) continue;
            StreamingCopy.Run(ws.Slice(start, n), copyTo[0].Span.Slice(start, n));
            StreamingCopy.Run(ms.Slice(start, n), copyTo[1].Span.Slice(start, n));
            StreamingCopy.Run(vs.Slice(start, n), copyTo[2].Span.Slice(start, n));
        }
    }

    private static void RequireStepShapes(Tensor w, Tensor g, Tensor s0, Tensor? s1, Tensor[]? copyTo, int copies)
    {
        Tensor.RequireSameShape(w, g, "an optimizer step (value vs gradient)");
        Tensor.RequireSameShape(w, s0, "an optimizer step (value vs state)");
        if (s1 is not null) Tensor.RequireSameShape(w, s1, "an optimizer step (value vs state)");
        if (copyTo is null) return;
        if (copyTo.Length != copies) throw new ArgumentException($"An optimizer step copies {copies} tensors, not {copyTo.Length}.", nameof(copyTo));
        foreach (var c in copyTo) Tensor.RequireSameShape(w, c, "an optimizer step's snapshot copy");
    }

    // g' = g + λw, v = μv + g', w −= lr·v.
    private static void SgdMomentum(SgdMomentumUpdate update, Span<float> w, ReadOnlySpan<float> g, Span<float> v)
    {
        float lr = update.LearningRate, mu = update.Momentum, decay = update.WeightDecay;
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

    // m = β₁m + (1−β₁)g; v = β₂v + (1−β₂)g²; w = keep·w − stepSize · m / (√v / correction2 + ε).
    private static void AdamW(AdamWUpdate update, Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v)
    {
        float b1 = update.Beta1, b2 = update.Beta2, eps = update.Epsilon;
        float keep = update.Keep, stepSize = update.StepSize, correction2 = update.Correction2;
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
