using System.Numerics.Tensors;

namespace TpActors.Layers.Tensors;

// Element-wise ops and reductions. A contiguous tensor is one span; a strided view goes row by row. Each element's result
// is the same either way for add, subtract and multiply (exact per element); tanh of a contiguous tensor is one call over
// its whole span, the form the synthetic task's teacher has always used.
public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void Add(Tensor a, Tensor b, Tensor result)
    {
        Tensor.RequireSameShape(a, b, "add");
        Tensor.RequireSameShape(a, result, "add");
        if (a.IsContiguous && b.IsContiguous && result.IsContiguous) TensorPrimitives.Add(a.Span, b.Span, result.Span);
        else for (int i = 0; i < a.Rows; i++) TensorPrimitives.Add(a.Row(i), b.Row(i), result.Row(i));
    }

    /// <inheritdoc/>
    public void Subtract(Tensor a, Tensor b, Tensor result)
    {
        Tensor.RequireSameShape(a, b, "subtract");
        Tensor.RequireSameShape(a, result, "subtract");
        if (a.IsContiguous && b.IsContiguous && result.IsContiguous) TensorPrimitives.Subtract(a.Span, b.Span, result.Span);
        else for (int i = 0; i < a.Rows; i++) TensorPrimitives.Subtract(a.Row(i), b.Row(i), result.Row(i));
    }

    /// <inheritdoc/>
    public void Tanh(Tensor x, Tensor y)
    {
        Tensor.RequireSameShape(x, y, "tanh");
        if (x.IsContiguous && y.IsContiguous) TensorPrimitives.Tanh(x.Span, y.Span);
        else for (int i = 0; i < x.Rows; i++) TensorPrimitives.Tanh(x.Row(i), y.Row(i));
    }

    /// <inheritdoc/>
    public double SumOfSquares(Tensor x)
    {
        double sum = 0;
        for (int i = 0; i < x.Rows; i++)
            foreach (float d in x.Row(i)) sum += (double)d * d;
        return sum;
    }

    /// <inheritdoc/>
    public void Zero(Tensor x)
    {
        if (x.IsContiguous) x.Span.Clear();
        else for (int i = 0; i < x.Rows; i++) x.Row(i).Clear();
    }
}
