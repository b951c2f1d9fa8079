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

    /// <summary>The memory the run was estimated to need beside the most this process held: the estimate gates the sizes a command accepts.</summary>
    public static Dictionary<string, object?> MemoryReport(double estimate) => new()
    {
        ["estimate_bytes"] = (long)estimate,
        ["peak_bytes"] = ProcessMemory.PeakBytes,
    };

    /// <summary>One JSON object: passed, backend, tp, the options, the wall time, the memory and the checks.</summary>
    public static void WriteJson(TextWriter output, VerifyReport report, string? dumpError = null)
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
            ["memory"] = MemoryReport(o.MemoryEstimateBytes),
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
        if (dumpError is not null) document["dump_error"] = dumpError;
        JsonOutput.WriteLine(output, document);
    }

    /// <summary>
    /// Makes sure the tensors can be written to <paramref name="directory"/> before any rank starts: it is created if
    /// missing, must not be a file, and must take a file. Returns the reason it cannot, or null.
    /// </summary>
    public static string? PrepareDump(string directory)
    {
        if (File.Exists(directory)) return $"--dump {directory}: it is a file; --dump takes a directory to write the .npy files into.";
        try
        {
            Directory.CreateDirectory(directory);
            string probe = Path.Combine(directory, $".tpactors-write-test-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"--dump {directory}: cannot write there: {e.Message}";
        }
    }

    /// <summary>Writes each MLP tensor to <c>DIR/name.npy</c>; returns the reason it could not (a full disk), or null.</summary>
    public static string? Dump(VerifyReport report, string directory, TextWriter log)
    {
        var names = VerifyReport.DumpNames.Where(report.MlpTensors.ContainsKey).ToList();
        try
        {
            foreach (var name in names) NpyFile.Write(Path.Combine(directory, name + ".npy"), report.MlpTensors[name]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"--dump {directory}: the tensors could not all be written: {e.Message}";
        }
        log.WriteLine($"wrote {names.Count} .npy files to {directory}: {string.Join(", ", names)}");
        return null;
    }

    // JSON has no infinity or NaN: a value that is not finite is written as the largest double.
    private static double Finite(double value) => double.IsFinite(value) ? value : double.MaxValue;
}
