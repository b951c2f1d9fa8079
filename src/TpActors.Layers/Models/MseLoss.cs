using TpActors.Layers.Tensors;

namespace TpActors.Layers.Models;

/// <summary>Mean squared error over every element: <c>L = mean((Y − T)²)</c>, <c>dL/dY = 2(Y − T) / n</c>.</summary>
public sealed class MseLoss : ILoss
{
    /// <summary>The one instance.</summary>
    public static MseLoss Instance { get; } = new();

    private MseLoss()
    {
    }

    /// <summary>
    /// The loss of <paramref name="output"/> against <paramref name="targets"/>, writing dL/dY into <paramref name="gradient"/>
    /// (all the same shape). The sum runs in float64 in element order, so every rank holding the same output gets the same loss.
    /// </summary>
    public double Compute(IBackend backend, Tensor output, Tensor targets, Tensor gradient)
    {
        Tensor.RequireSameShape(output, targets, "the loss (output vs targets)");
        Tensor.RequireSameShape(output, gradient, "the loss (output vs gradient)");
        backend.Subtract(output, targets, gradient);
        double sum = backend.SumOfSquares(gradient);
        int n = Math.Max(1, gradient.Length);
        backend.Scale(2f / n, gradient);
        return sum / n;
    }
}
