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

    /// <summary>The work of every GEMM this backend has run (see <see cref="GemmTally"/>).</summary>
    GemmTally Gemms { get; }

    /// <summary>C = alpha·op(A)·op(B) + beta·C, where op transposes when asked.</summary>
    void Gemm(Tensor a, bool transposeA, Tensor b, bool transposeB, Tensor c, float alpha = 1, float beta = 0);

    /// <summary>
    /// C[i] = alpha·op(A[i])·op(B[i]) + beta·C[i] for every block i of three grids of one count, each block read and written in
    /// place (attention: one GEMM per sequence and head, without copying the heads apart).
    /// </summary>
    void GemmBatched(BlockGrid a, bool transposeA, BlockGrid b, bool transposeB, BlockGrid c, float alpha = 1, float beta = 0);

    /// <summary>
    /// y[i, :] = softmax(scale·x[i, :]), numerically stable (the row's maximum subtracted first). With
    /// <paramref name="causalQueries"/> = Tq &gt; 0 the rows are blocks of Tq queries, the last Tq of x's columns (keys), and
    /// row i sees only the keys up to its own position: its first cols − Tq + (i mod Tq) + 1 columns; y is 0 after them.
    /// </summary>
    void Softmax(Tensor x, Tensor y, float scale = 1, int causalQueries = 0);

    /// <summary>dx = scale·y ⊙ (dy − Σⱼ y·dy), row by row, from softmax's output y (dx may be dy; masked entries, where y is 0, get 0).</summary>
    void SoftmaxBackward(Tensor y, Tensor dy, Tensor dx, float scale = 1);

    /// <summary>
    /// LayerNorm of each row: y = (x − μ)·ρ·γ + β with μ the row's mean and ρ = 1/√(σ² + ε) (σ² the biased variance);
    /// μ and ρ of each row are written to <paramref name="mean"/> and <paramref name="rstd"/> for the backward.
    /// </summary>
    void LayerNorm(Tensor x, Tensor gamma, Tensor beta, float epsilon, Tensor y, Tensor mean, Tensor rstd);

    /// <summary>
    /// LayerNorm's backward from dy: with x̂ = (x − μ)·ρ and g = dy ⊙ γ, dx = ρ·(g − mean(g) − x̂·mean(g ⊙ x̂)) per row;
    /// dγ = Σᵢ dy ⊙ x̂ and dβ = Σᵢ dy over the rows (written, not added to).
    /// </summary>
    void LayerNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor dy, Tensor dx, Tensor dGamma, Tensor dBeta);

    /// <summary>
    /// rows[i] = table[ids[i] − firstId] where that row is in the table, else 0: an embedding lookup in a shard of the
    /// vocabulary whose first row is token <paramref name="firstId"/>.
    /// </summary>
    void GatherRows(Tensor table, ReadOnlySpan<int> ids, int firstId, Tensor rows);

    /// <summary>table[ids[i] − firstId] += rows[i] where that row is in the table (in order of i): the embedding's gradient.</summary>
    void ScatterAddRows(Tensor rows, ReadOnlySpan<int> ids, int firstId, Tensor table);

    /// <summary>max[i] = maxⱼ x[i, j].</summary>
    void RowMax(Tensor x, Tensor max);

    /// <summary>sums[i] = Σⱼ x[i, j].</summary>
    void RowSums(Tensor x, Tensor sums);

    /// <summary>sums[i] = Σⱼ exp(x[i, j] − shift[i]): a softmax's denominator, shifted by the row's (global) maximum.</summary>
    void RowSumExp(Tensor x, Tensor shift, Tensor sums);

    /// <summary>max[j] = maxᵢ x[i, j]: the maximum over ranks of their row maxima, gathered one rank per row.</summary>
    void ColumnMax(Tensor x, Tensor max);

    /// <summary>
    /// The cross-entropy of each row from its pieces, summed over the whole vocabulary of V tokens: logZ = max + log sumExp,
    /// loss = logZ − (1 − ε)·target − (ε/V)·sum (target the row's target logit, sum the sum of its logits, ε the label smoothing).
    /// </summary>
    void CrossEntropyLoss(Tensor max, Tensor sumExp, Tensor target, Tensor sum, int vocabulary, float smoothing, Tensor logZ, Tensor loss);

    /// <summary>x[i, j] *= scales[i].</summary>
    void ScaleRows(Tensor x, Tensor scales);

    /// <summary>picked[i] = x[i, ids[i] − firstId] where that column is in x, else 0: the target logit in a shard of the vocabulary.</summary>
    void PickColumns(Tensor x, ReadOnlySpan<int> ids, int firstId, Tensor picked);

    /// <summary>
    /// The cross-entropy's gradient with respect to the logits x of a shard of the vocabulary whose first column is token
    /// <paramref name="firstId"/>: dx[i, j] = gradScale·(exp(x[i, j] − logZ[i]) − (1 − ε)·[firstId + j = targets[i]] − ε/V),
    /// with logZ the row's global log-sum-exp, ε the label smoothing and V the whole vocabulary (dx may be x).
    /// </summary>
    void CrossEntropyBackward(Tensor x, Tensor logZ, ReadOnlySpan<int> targets, int firstId, int vocabulary, float smoothing, float gradScale, Tensor dx);

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
