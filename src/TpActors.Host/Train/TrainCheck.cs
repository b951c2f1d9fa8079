using System.Globalization;

namespace TpActors.Host.Train;

/// <summary>The outcome of <c>train --check</c>: the largest absolute weight difference from TP=1, and the tolerance it is held to.</summary>
/// <param name="Difference">The largest absolute difference of any weight.</param>
/// <param name="Tolerance">The largest that passes (<c>tpactors.training.check-tolerance</c>, or <c>--check-tolerance</c>).</param>
public sealed record TrainCheck(float Difference, float Tolerance)
{
    /// <summary>Whether the difference is within the tolerance (NaN never is).</summary>
    public bool Passed => Difference <= Tolerance;

    /// <summary>The check in words, e.g. "largest weight difference from TP=1 on the same data: 1.44e-05 (tolerance 1.00e-03): passed".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"largest weight difference from TP=1 on the same data: {Difference:0.00e+00} (tolerance {Tolerance:0.00e+00}): {(Passed ? "passed" : "FAILED")}");
}
