namespace TpActors.Layers.Tensors;

/// <summary>
/// The tensor operations the parallel layers need, on one device. Every operation checks its shapes and throws
/// <see cref="ArgumentException"/> naming them; outputs are written into tensors the caller provides (views allowed).
/// A backend belongs to one rank and is used from one thread at a time.
/// </summary>
public interface IBackend
{
    /// <summary>What runs the GEMMs, e.g. "openblas (SkylakeX)" or "managed (Vector256 FMA)".</summary>
    string Name { get; }

    /// <summary>Threads one GEMM may use.</summary>
    int Threads { get; }

    /// <summary>The backend in words with its threads, e.g. "openblas (SkylakeX), 1 BLAS thread".</summary>
    string Description { get; }

    /// <summary>C = alpha·op(A)·op(B) + beta·C, where op transposes when asked.</summary>
    void Gemm(Tensor a, bool transposeA, Tensor b, bool transposeB, Tensor c, float alpha = 1, float beta = 0);

    /// <summary>y[i, j] += bias[j].</summary>
    void AddBias(Tensor y, Tensor bias);

    /// <summary>y = act(x), element-wise (y may be x).</summary>
    void Activate(Activation activation, Tensor x, Tensor y);

    /// <summary>dx = act'(x) ⊙ dy, element-wise, from the activation's input x (dx may be dy).</summary>
    void ActivateBackward(Activation activation, Tensor x, Tensor dy, Tensor dx);

    /// <summary>sums[j] = Σᵢ x[i, j]: the gradient of a bias.</summary>
    void ColumnSums(Tensor x, Tensor sums);

    /// <summary>y += alpha·x.</summary>
    void Axpy(float alpha, Tensor x, Tensor y);

    /// <summary>x *= alpha.</summary>
    void Scale(float alpha, Tensor x);

    /// <summary>result = a + b, element-wise (result may be a or b).</summary>
    void Add(Tensor a, Tensor b, Tensor result);

    /// <summary>result = a − b, element-wise (result may be a or b).</summary>
    void Subtract(Tensor a, Tensor b, Tensor result);

    /// <summary>y = tanh(x), element-wise (y may be x).</summary>
    void Tanh(Tensor x, Tensor y);

    /// <summary>Σ x², summed in float64 in element order, so every rank holding the same x gets the same bits.</summary>
    double SumOfSquares(Tensor x);

    /// <summary>x = 0.</summary>
    void Zero(Tensor x);

    /// <summary>
    /// One SGD-with-momentum step of parameter <paramref name="w"/> from its gradient <paramref name="g"/> and momentum
    /// <paramref name="v"/> (all contiguous, one shape). With <paramref name="copyTo"/> (w's copy, then v's) the updated
    /// values are also copied there, block by block while still in cache. Each element's result does not depend on where it
    /// falls in the tensor.
    /// </summary>
    void SgdMomentumStep(SgdMomentumUpdate update, Tensor w, Tensor g, Tensor v, Tensor[]? copyTo = null);

    /// <summary>
    /// One AdamW step of parameter <paramref name="w"/> from its gradient <paramref name="g"/> and moments
    /// <paramref name="m"/>, <paramref name="v"/> (all contiguous, one shape); <paramref name="copyTo"/> as for
    /// <see cref="SgdMomentumStep"/> (w's copy, then m's, then v's).
    /// </summary>
    void AdamWStep(AdamWUpdate update, Tensor w, Tensor g, Tensor m, Tensor v, Tensor[]? copyTo = null);

    /// <summary>Copies a block (any view, e.g. a column block of a weight) into a tensor of the same shape, typically a contiguous shard.</summary>
    void Copy(Tensor source, Tensor destination);

    /// <summary>A new matrix of the parts side by side: [rows, Σ colsᵢ].</summary>
    Tensor ConcatColumns(IReadOnlyList<Tensor> parts);

    /// <summary>A new matrix of the parts stacked: [Σ rowsᵢ, cols].</summary>
    Tensor ConcatRows(IReadOnlyList<Tensor> parts);
}
