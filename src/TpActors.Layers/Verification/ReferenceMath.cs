using TpActors.Layers.Tensors;

namespace TpActors.Layers.Verification;

/// <summary>
/// The full, single-rank computation in float64 that parallel results are checked against: plain loops, written for
/// obviousness, not speed. Matrices are row-major <c>double[rows, cols]</c>.
/// </summary>
public static partial class ReferenceMath
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
    public static double[,] Activate(Activation activation, double[,] x) => Map(x, v => activation switch
    {
        Activation.Relu => Math.Max(v, 0),
        Activation.Gelu => 0.5 * v * (1 + Erf(v / Math.Sqrt(2))),
        _ => GeluTanh(v),
    });

    /// <summary>act'(x) ⊙ dy element-wise.</summary>
    public static double[,] ActivateBackward(Activation activation, double[,] x, double[,] dy)
    {
        var dx = new double[x.GetLength(0), x.GetLength(1)];
        for (int i = 0; i < x.GetLength(0); i++)
            for (int j = 0; j < x.GetLength(1); j++)
                dx[i, j] = dy[i, j] * activation switch
                {
                    Activation.Relu => x[i, j] > 0 ? 1 : 0,
                    // d/dx x·Φ(x) = Φ(x) + x·φ(x)
                    Activation.Gelu => 0.5 * (1 + Erf(x[i, j] / Math.Sqrt(2))) + x[i, j] * Math.Exp(-0.5 * x[i, j] * x[i, j]) / Math.Sqrt(2 * Math.PI),
                    _ => GeluTanhDerivative(x[i, j]),
                };
        return dx;
    }

    /// <summary>
    /// erf(x) to about 2e-15 (checked against a correctly rounded erf at 100,000 points in [−6, 6]): its Maclaurin series below
    /// |x| = 2 (the largest term is under 10, so about one digit cancels), and above it 1 − erfc(x) from erfc's continued
    /// fraction, 60 terms deep, which converges fast there.
    /// </summary>
    public static double Erf(double x)
    {
        double a = Math.Abs(x);
        double result;
        if (a < 2)
        {
            // 2/√π · Σ (−1)ⁿ x²ⁿ⁺¹ / (n! (2n + 1))
            double term = a, sum = a, x2 = a * a;
            for (int n = 1; n < 80 && Math.Abs(term) > 1e-17 * sum; n++)
            {
                term *= -x2 / n;
                sum += term / (2 * n + 1);
            }
            result = 2 / Math.Sqrt(Math.PI) * sum;
        }
        else
        {
            // erfc(x) = exp(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))), evaluated from the tail.
            double fraction = a;
            for (int k = 60; k >= 1; k--) fraction = a + k / 2.0 / fraction;
            result = 1 - Math.Exp(-a * a) / Math.Sqrt(Math.PI) / fraction;
        }
        return x < 0 ? -result : result;
    }

    private static double GeluTanh(double x) => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));

    private static double GeluTanhDerivative(double x)
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
