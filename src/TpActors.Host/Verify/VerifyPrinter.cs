using System.Globalization;
using TpActors.Layers.Tensors;
using TpActors.Layers.Verification;

namespace TpActors.Host.Verify;

/// <summary>Prints a verification: the table, the JSON object, or the MLP tensors as .npy files.</summary>
public static class VerifyPrinter
{
    /// <summary>The table: check, shape, errors, tolerance, pass; then the backend and the wall time.</summary>
    public static void WriteTable(TextWriter output, VerifyReport report)
    {
        var o = report.Options;
        output.WriteLine($"tpactors verify: tp {o.Tp}, batch {o.Batch}, hidden {o.Hidden}, ffn {o.Ffn}, {ActivationNames.Name(o.Activation)}, " +
            $"{(o.Bias ? "with" : "without")} bias, seed {o.Seed}");
        output.WriteLine($"backend: {report.Backend}");
        output.WriteLine();
        int width = Math.Max(5, report.Checks.Max(c => c.Name.Length));
        output.WriteLine($"{"check".PadRight(width)}  {"shape",-12} {"max abs err",11} {"max rel err",11} {"tolerance",9}  pass");
        foreach (var c in report.Checks)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{c.Name.PadRight(width)}  {c.Shape,-12} {c.MaxAbsError,11:0.00e+00} {c.MaxRelError,11:0.00e+00} {c.Tolerance,9:0.0e+00}  {(c.Passed ? "yes" : "NO")}"));
        }
        output.WriteLine();
        int passed = report.Checks.Count(c => c.Passed);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(report.Passed ? "PASSED" : "FAILED")}: {passed} of {report.Checks.Count} checks passed; wall time {report.Elapsed.TotalSeconds:0.000} s"));
    }

    /// <summary>One JSON object: passed, backend, tp, the options, the wall time and the checks.</summary>
    public static void WriteJson(TextWriter output, VerifyReport report)
    {
        var o = report.Options;
        var document = new Dictionary<string, object>
        {
            ["passed"] = report.Passed,
            ["backend"] = report.Backend,
            ["tp"] = o.Tp,
            ["batch"] = o.Batch,
            ["hidden"] = o.Hidden,
            ["ffn"] = o.Ffn,
            ["seed"] = o.Seed,
            ["bias"] = o.Bias,
            ["activation"] = ActivationNames.Name(o.Activation),
            ["wall_seconds"] = Math.Round(report.Elapsed.TotalSeconds, 6),
            ["checks"] = report.Checks.Select(c => new Dictionary<string, object>
            {
                ["name"] = c.Name,
                ["shape"] = c.Shape,
                ["max_abs_error"] = Finite(c.MaxAbsError),
                ["max_rel_error"] = Finite(c.MaxRelError),
                ["tolerance"] = c.Tolerance,
                ["passed"] = c.Passed,
            }).ToList(),
        };
        JsonOutput.WriteLine(output, document);
    }

    /// <summary>Writes each MLP tensor to <c>DIR/name.npy</c>.</summary>
    public static void Dump(VerifyReport report, string directory, TextWriter log)
    {
        Directory.CreateDirectory(directory);
        var names = VerifyReport.DumpNames.Where(report.MlpTensors.ContainsKey).ToList();
        foreach (var name in names) NpyFile.Write(Path.Combine(directory, name + ".npy"), report.MlpTensors[name]);
        log.WriteLine($"wrote {names.Count} .npy files to {directory}: {string.Join(", ", names)}");
    }

    // JSON has no infinity or NaN: a value that is not finite is written as the largest double.
    private static double Finite(double value) => double.IsFinite(value) ? value : double.MaxValue;
}
