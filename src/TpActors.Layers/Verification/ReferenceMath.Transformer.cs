namespace TpActors.Layers.Verification;

// The transformer's pieces in float64: softmax with its causal mask, LayerNorm and the cross-entropy with label smoothing,
// each forward and backward, written as their definitions read.
public static partial class ReferenceMath
{
    /// <summary>
    /// y[i, :] = softmax(scale·x[i, :]); with <paramref name="causalQueries"/> = Tq &gt; 0, row i sees only its first
    /// cols − Tq + (i mod Tq) + 1 columns (its own key and those before), and y is 0 after them.
    /// </summary>
    public static double[,] Softmax(double[,] x, double scale = 1, int causalQueries = 0)
    {
        int rows = x.GetLength(0), cols = x.GetLength(1);
        var y = new double[rows, cols];
        for (int i = 0; i < rows; i++)
        {
            int visible = causalQueries == 0 ? cols : cols - causalQueries + i % causalQueries + 1;
            double max = double.NegativeInfinity, sum = 0;
            for (int j = 0; j < visible; j++) max = Math.Max(max, scale * x[i, j]);
            for (int j = 0; j < visible; j++) sum += y[i, j] = Math.Exp(scale * x[i, j] - max);
            for (int j = 0; j < visible; j++) y[i, j] /= sum;
        }
        return y;
    }

    /// <summary>dx[i, j] = scale·Σₖ y[i, k]·([j = k] − y[i, j])·dy[i, k], the softmax's Jacobian applied to dy.</summary>
    public static double[,] SoftmaxBackward(double[,] y, double[,] dy, double scale = 1)
    {
        int rows = y.GetLength(0), cols = y.GetLength(1);
        var dx = new double[rows, cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
            {
                double sum = 0;
                for (int k = 0; k < cols; k++) sum += ((j == k ? 1 : 0) - y[i, k]) * y[i, j] * dy[i, k];
                dx[i, j] = scale * sum;
            }
        return dx;
    }

    /// <summary>LayerNorm of each row: (x − μ)/√(σ² + ε)·γ + β, σ² the biased variance; γ and β given as [1, cols].</summary>
    public static double[,] LayerNorm(double[,] x, double[,] gamma, double[,] beta, double epsilon)
    {
        int rows = x.GetLength(0), cols = x.GetLength(1);
        var y = new double[rows, cols];
        for (int i = 0; i < rows; i++)
        {
            var (mean, rstd) = RowStatistics(x, i, epsilon);
            for (int j = 0; j < cols; j++) y[i, j] = (x[i, j] - mean) * rstd * gamma[0, j] + beta[0, j];
        }
        return y;
    }

    /// <summary>LayerNorm's gradients (dx, dγ, dβ) from dy, by the chain rule through μ and σ² written out term by term.</summary>
    public static (double[,] Dx, double[,] DGamma, double[,] DBeta) LayerNormBackward(double[,] x, double[,] gamma, double[,] dy, double epsilon)
    {
        int rows = x.GetLength(0), cols = x.GetLength(1);
        var dx = new double[rows, cols];
        var dGamma = new double[1, cols];
        var dBeta = new double[1, cols];
        for (int i = 0; i < rows; i++)
        {
            var (mean, rstd) = RowStatistics(x, i, epsilon);
            // y = γ·(x − μ)·ρ + β with ρ = (σ² + ε)^(−1/2): dL/dσ² = Σ g·(x − μ)·(−ρ³/2), dL/dμ = −ρ·Σ g, where g = dy·γ
            // (the term of dσ²/dμ is 0 since Σ (x − μ) = 0); dx = g·ρ + dL/dσ²·2(x − μ)/n + dL/dμ/n.
            double dVar = 0, dMean = 0;
            for (int j = 0; j < cols; j++)
            {
                double g = dy[i, j] * gamma[0, j];
                dVar += g * (x[i, j] - mean) * -0.5 * rstd * rstd * rstd;
                dMean += -g * rstd;
                dGamma[0, j] += dy[i, j] * (x[i, j] - mean) * rstd;
                dBeta[0, j] += dy[i, j];
            }
            for (int j = 0; j < cols; j++) dx[i, j] = dy[i, j] * gamma[0, j] * rstd + dVar * 2 * (x[i, j] - mean) / cols + dMean / cols;
        }
        return (dx, dGamma, dBeta);
    }

    /// <summary>
    /// The mean cross-entropy of logits [N, V] against targets with label smoothing ε (<see cref="CrossEntropyRows"/>
    /// averaged), and its gradient dL/dlogits.
    /// </summary>
    public static (double Loss, double[,] DLogits) CrossEntropy(double[,] logits, IReadOnlyList<int> targets, double smoothing)
    {
        int rows = logits.GetLength(0);
        var (losses, dLogits) = CrossEntropyRows(logits, targets, smoothing, Enumerable.Repeat(1.0 / rows, rows).ToArray());
        return (losses.Average(), dLogits);
    }

    private static (double Mean, double Rstd) RowStatistics(double[,] x, int row, double epsilon)
    {
        int cols = x.GetLength(1);
        double mean = 0, variance = 0;
        for (int j = 0; j < cols; j++) mean += x[row, j] / cols;
        for (int j = 0; j < cols; j++) variance += (x[row, j] - mean) * (x[row, j] - mean) / cols;
        return (mean, 1 / Math.Sqrt(variance + epsilon));
    }

    /// <summary>
    /// Causal multi-head self-attention over sequences of <paramref name="sequenceLength"/> rows of x [B·T, hidden], forward
    /// and backward from dy: Q = x·W_q + b_q (K, V likewise), per sequence and head P = softmax_causal(Q·Kᵀ/√d),
    /// O = P·V, y = O·W_o + b_o.
    /// </summary>
    public static (double[,] Y, AttentionGradients Gradients) Attention(double[,] x, AttentionWeights w, int heads, int sequenceLength, double[,] dy)
    {
        int rows = x.GetLength(0), hidden = x.GetLength(1), d = hidden / heads, t = sequenceLength;
        double scale = 1 / Math.Sqrt(d);
        var q = AddBias(MatMul(x, w.Query), w.QueryBias);
        var k = AddBias(MatMul(x, w.Key), w.KeyBias);
        var v = AddBias(MatMul(x, w.Value), w.ValueBias);
        var o = new double[rows, hidden];
        var probabilities = new Dictionary<(int, int), double[,]>();
        for (int b = 0; b < rows / t; b++)
            for (int h = 0; h < heads; h++)
            {
                var p = Softmax(MatMul(Block(q, b * t, t, h * d, d), Block(k, b * t, t, h * d, d), transposeB: true), scale, t);
                probabilities[(b, h)] = p;
                Put(o, b * t, h * d, MatMul(p, Block(v, b * t, t, h * d, d)));
            }
        var y = AddBias(MatMul(o, w.Output), w.OutputBias);

        var dO = MatMul(dy, w.Output, transposeB: true);
        var dq = new double[rows, hidden];
        var dk = new double[rows, hidden];
        var dv = new double[rows, hidden];
        for (int b = 0; b < rows / t; b++)
            for (int h = 0; h < heads; h++)
            {
                var p = probabilities[(b, h)];
                var dOh = Block(dO, b * t, t, h * d, d);
                var dS = SoftmaxBackward(p, MatMul(dOh, Block(v, b * t, t, h * d, d), transposeB: true), scale);
                Put(dv, b * t, h * d, MatMul(p, dOh, transposeA: true));
                Put(dq, b * t, h * d, MatMul(dS, Block(k, b * t, t, h * d, d)));
                Put(dk, b * t, h * d, MatMul(dS, Block(q, b * t, t, h * d, d), transposeA: true));
            }
        var dx = Sum(MatMul(dq, w.Query, transposeB: true), MatMul(dk, w.Key, transposeB: true), MatMul(dv, w.Value, transposeB: true));
        var gradients = new AttentionGradients(dx,
            MatMul(x, dq, transposeA: true), w.QueryBias is null ? null : ColumnSums(dq),
            MatMul(x, dk, transposeA: true), w.KeyBias is null ? null : ColumnSums(dk),
            MatMul(x, dv, transposeA: true), w.ValueBias is null ? null : ColumnSums(dv),
            MatMul(o, dy, transposeA: true), w.OutputBias is null ? null : ColumnSums(dy));
        return (y, gradients);
    }

    /// <summary>The elementwise sum of matrices of one shape.</summary>
    public static double[,] Sum(params double[][,] terms)
    {
        var sum = (double[,])terms[0].Clone();
        foreach (var term in terms.Skip(1))
            for (int i = 0; i < sum.GetLength(0); i++)
                for (int j = 0; j < sum.GetLength(1); j++) sum[i, j] += term[i, j];
        return sum;
    }

    /// <summary>Rows [row, row + rows) and columns [col, col + cols) of x, copied.</summary>
    public static double[,] Block(double[,] x, int row, int rows, int col, int cols)
    {
        var block = new double[rows, cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) block[i, j] = x[row + i, col + j];
        return block;
    }

    private static void Put(double[,] x, int row, int col, double[,] block)
    {
        for (int i = 0; i < block.GetLength(0); i++)
            for (int j = 0; j < block.GetLength(1); j++) x[row + i, col + j] = block[i, j];
    }
}

/// <summary>An attention's full weights in float64: [hidden, hidden] each, biases [1, hidden] or null.</summary>
public sealed record AttentionWeights(double[,] Query, double[,]? QueryBias, double[,] Key, double[,]? KeyBias, double[,] Value, double[,]? ValueBias, double[,] Output, double[,]? OutputBias);

/// <summary>An attention's gradients in float64: the input's and each weight's (null for an absent bias).</summary>
public sealed record AttentionGradients(double[,] Input, double[,] Query, double[,]? QueryBias, double[,] Key, double[,]? KeyBias, double[,] Value, double[,]? ValueBias, double[,] Output, double[,]? OutputBias);
