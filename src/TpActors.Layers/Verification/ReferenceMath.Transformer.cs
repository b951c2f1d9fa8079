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
    /// The mean cross-entropy of logits [N, V] against targets with label smoothing ε: each row's loss is
    /// (1 − ε)·(−log p[target]) + ε·mean over the vocabulary of (−log p), and its gradient dL/dlogits (mean over rows).
    /// </summary>
    public static (double Loss, double[,] DLogits) CrossEntropy(double[,] logits, IReadOnlyList<int> targets, double smoothing)
    {
        int rows = logits.GetLength(0), vocabulary = logits.GetLength(1);
        var dLogits = new double[rows, vocabulary];
        double loss = 0;
        for (int i = 0; i < rows; i++)
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int j = 0; j < vocabulary; j++) max = Math.Max(max, logits[i, j]);
            for (int j = 0; j < vocabulary; j++) sum += Math.Exp(logits[i, j] - max);
            double logZ = max + Math.Log(sum), meanNll = 0;
            for (int j = 0; j < vocabulary; j++) meanNll += (logZ - logits[i, j]) / vocabulary;
            loss += ((1 - smoothing) * (logZ - logits[i, targets[i]]) + smoothing * meanNll) / rows;
            for (int j = 0; j < vocabulary; j++)
                dLogits[i, j] = (Math.Exp(logits[i, j] - logZ) - (1 - smoothing) * (j == targets[i] ? 1 : 0) - smoothing / vocabulary) / rows;
        }
        return (loss, dLogits);
    }

    private static (double Mean, double Rstd) RowStatistics(double[,] x, int row, double epsilon)
    {
        int cols = x.GetLength(1);
        double mean = 0, variance = 0;
        for (int j = 0; j < cols; j++) mean += x[row, j] / cols;
        for (int j = 0; j < cols; j++) variance += (x[row, j] - mean) * (x[row, j] - mean) / cols;
        return (mean, 1 / Math.Sqrt(variance + epsilon));
    }
}
