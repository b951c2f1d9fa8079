using TpActors.Layers.Tensors;

namespace TpActors.Layers.Verification;

/// <summary>
/// The full, single-rank computation in float64 that parallel results are checked against: plain loops, written for
/// obviousness, not speed. Matrices are row-major <c>double[rows, cols]</c>.
/// </summary>
public static class ReferenceMath
{
    /// <summary>The tensor's values, widened to double.</summary>
    public static double[,] ToDouble(Tensor t)
    {
        var result = new double[t.Rows, t.Cols];
        for (int i = 0; i < t.Rows; i++)
        {
            var row = t.Row(i);
            for (int j = 0; j < t.Cols; j++) result[i, j] = row[j];
        }
        return result;
    }

    /// <summary>A·B, optionally transposing either.</summary>
    public static double[,] MatMul(double[,] a, double[,] b, bool transposeA = false, bool transposeB = false)
    {
        int m = transposeA ? a.GetLength(1) : a.GetLength(0), k = transposeA ? a.GetLength(0) : a.GetLength(1);
        int n = transposeB ? b.GetLength(0) : b.GetLength(1);
        var c = new double[m, n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++) sum += (transposeA ? a[p, i] : a[i, p]) * (transposeB ? b[j, p] : b[p, j]);
                c[i, j] = sum;
            }
        return c;
    }

    /// <summary>y[i, j] = x[i, j] + bias[0, j] (bias given as [1, cols]); null bias adds nothing.</summary>
    public static double[,] AddBias(double[,] x, double[,]? bias)
    {
        var y = (double[,])x.Clone();
        if (bias is null) return y;
        for (int i = 0; i < y.GetLength(0); i++)
            for (int j = 0; j < y.GetLength(1); j++) y[i, j] += bias[0, j];
        return y;
    }

    /// <summary>Σ over rows, as [1, cols].</summary>
    public static double[,] ColumnSums(double[,] x)
    {
        var s = new double[1, x.GetLength(1)];
        for (int i = 0; i < x.GetLength(0); i++)
            for (int j = 0; j < x.GetLength(1); j++) s[0, j] += x[i, j];
        return s;
    }

    /// <summary>act(x) element-wise.</summary>
    public static double[,] Activate(Activation activation, double[,] x) => Map(x, v => activation == Activation.Relu ? Math.Max(v, 0) : Gelu(v));

    /// <summary>act'(x) ⊙ dy element-wise.</summary>
    public static double[,] ActivateBackward(Activation activation, double[,] x, double[,] dy)
    {
        var dx = new double[x.GetLength(0), x.GetLength(1)];
        for (int i = 0; i < x.GetLength(0); i++)
            for (int j = 0; j < x.GetLength(1); j++)
                dx[i, j] = dy[i, j] * (activation == Activation.Relu ? (x[i, j] > 0 ? 1 : 0) : GeluDerivative(x[i, j]));
        return dx;
    }

    private static double Gelu(double x) => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));

    private static double GeluDerivative(double x)
    {
        double c = Math.Sqrt(2 / Math.PI), t = Math.Tanh(c * (x + 0.044715 * x * x * x));
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x);
    }

    private static double[,] Map(double[,] x, Func<double, double> f)
    {
        var y = new double[x.GetLength(0), x.GetLength(1)];
        for (int i = 0; i < x.GetLength(0); i++)
            for (int j = 0; j < x.GetLength(1); j++) y[i, j] = f(x[i, j]);
        return y;
    }
}
