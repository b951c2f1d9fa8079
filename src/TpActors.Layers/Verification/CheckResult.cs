namespace TpActors.Layers.Verification;

/// <summary>One row of a verification: a parallel result against the float64 reference.</summary>
/// <param name="Name">What was checked, e.g. "mlp backward dW1".</param>
/// <param name="Shape">The full shape compared, e.g. "[4, 32]".</param>
/// <param name="MaxAbsError">max |parallel − reference|.</param>
/// <param name="MaxRelError">max |parallel − reference| / max |reference|: the error relative to the tensor's scale.</param>
/// <param name="Tolerance">The largest relative error that passes.</param>
public sealed record CheckResult(string Name, string Shape, double MaxAbsError, double MaxRelError, double Tolerance)
{
    /// <summary>True when the relative error is within tolerance (and nothing is NaN).</summary>
    public bool Passed => MaxRelError <= Tolerance;

    /// <summary>
    /// Compares <paramref name="actual"/> with <paramref name="expected"/> (same shape), the error relative to the larger of
    /// the reference's own scale and <paramref name="floor"/> (the scale of a related tensor, for a reference that is 0 in
    /// exact arithmetic, such as the attention's key-bias gradient).
    /// </summary>
    public static CheckResult Compare(string name, Tensors.Tensor actual, double[,] expected, double tolerance, double floor = 0)
    {
        if (actual.Rows != expected.GetLength(0) || actual.Cols != expected.GetLength(1))
            throw new ArgumentException($"{name}: the parallel result is {actual.ShapeText} but the reference is [{expected.GetLength(0)}, {expected.GetLength(1)}].");
        double maxAbs = 0, scale = 0;
        for (int i = 0; i < actual.Rows; i++)
        {
            var row = actual.Row(i);
            for (int j = 0; j < actual.Cols; j++)
            {
                double error = Math.Abs(row[j] - expected[i, j]);
                if (double.IsNaN(error)) error = double.PositiveInfinity;
                maxAbs = Math.Max(maxAbs, error);
                scale = Math.Max(scale, Math.Abs(expected[i, j]));
            }
        }
        double rel = maxAbs == 0 ? 0 : maxAbs / Math.Max(Math.Max(scale, floor), double.Epsilon);
        return new CheckResult(name, actual.ShapeText, maxAbs, rel, tolerance);
    }

    /// <summary>max |x|: the scale of a reference.</summary>
    public static double Scale(double[,] x)
    {
        double scale = 0;
        foreach (double v in x) scale = Math.Max(scale, Math.Abs(v));
        return scale;
    }
}
