using TpActors.Layers.Tensors;

namespace TpActors.Layers.Models;

/// <summary>
/// The mean of a model's per-token losses [N, 1] (a GPT's cross-entropy of each token, in nats): <c>L = Σ ℓ_i / N</c>,
/// <c>dL/dℓ_i = 1/N</c>. The targets are already in the losses.
/// </summary>
public sealed class MeanTokenLoss : ILoss
{
    /// <summary>The one instance.</summary>
    public static MeanTokenLoss Instance { get; } = new();

    private MeanTokenLoss()
    {
    }

    /// <summary>The mean of <paramref name="output"/>, summed in float64 in row order (every rank holds the same losses, so gets the same bits).</summary>
    public double Compute(IBackend backend, Tensor output, Tensor targets, Tensor gradient)
    {
        Tensor.RequireSameShape(output, gradient, "the loss (output vs gradient)");
        int n = Math.Max(1, output.Length);
        float[] losses = output.ToArray(); // N numbers, once per step: read back, no kernel needed
        double sum = 0;
        foreach (float loss in losses) sum += loss;
        Array.Fill(losses, 1f / n);
        using (var share = Tensor.FromArray(losses, output.Rows, output.Cols)) backend.Copy(share, gradient);
        return sum / n;
    }
}
