using System.Globalization;
using TpActors.Layers.Tensors;
using TpActors.Layers.Verification;

namespace TpActors.Host.Verify;

/// <summary>Prints a verification: the table, the JSON object, or the checked tensors as .npy files with a manifest.</summary>
public static class VerifyPrinter
{
    /// <summary>The table: check, shape, errors, tolerance, pass; then the backend and the wall time.</summary>
    public static void WriteTable(TextWriter output, VerifyReport report)
    {
        output.WriteLine($"tpactors verify: {Describe(report.Options)}");
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

    /// <summary>What is checked, in words: "mlp, tp 2, batch 8, hidden 64, …".</summary>
    public static string Describe(VerifyOptions o) =>
        $"{o.Model}, tp {o.Tp}, batch {o.Batch}, hidden {o.Hidden}, ffn {o.Ffn}, {ActivationNames.Name(o.Activation)}, {(o.Bias ? "with" : "without")} bias, seed {o.Seed}{Transformer(o)}";

    // The transformer's own sizes and options, after the common ones.
    private static string Transformer(VerifyOptions o) => !o.IsTransformer ? ""
        : $", heads {o.Heads}, context {o.Context}" + (o.Model == "gpt" ? $", vocab {o.Vocab}, layers {o.Layers}, label smoothing {o.LabelSmoothing.ToString(CultureInfo.InvariantCulture)}" +
            (o.TieWeights ? ", tied" : "") : "") + (o.SequenceParallel ? ", sequence-parallel" : "");

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
            ["model"] = o.Model,
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
        if (o.IsTransformer)
        {
            document["heads"] = o.Heads;
            document["context"] = o.Context;
            document["sequence_parallel"] = o.SequenceParallel;
        }
        if (o.Model == "gpt")
        {
            document["vocab"] = o.Vocab;
            document["layers"] = o.Layers;
            document["label_smoothing"] = o.LabelSmoothing;
            document["tie_weights"] = o.TieWeights;
        }
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

    /// <summary>
    /// Writes each tensor to <c>DIR/file.npy</c> and <c>DIR/manifest.json</c>, which names each file's tensor as PyTorch does,
    /// with its kind, shape and layout; returns the reason it could not (a full disk), or null.
    /// </summary>
    public static string? Dump(VerifyReport report, string directory, TextWriter log)
    {
        var o = report.Options;
        try
        {
            foreach (var t in report.Tensors) NpyFile.Write(Path.Combine(directory, t.File + ".npy"), t.Tensor);
            var manifest = new Dictionary<string, object?>
            {
                ["format"] = "tpactors-verify-dump",
                ["model"] = o.Model,
                ["tp"] = o.Tp,
                ["config"] = new Dictionary<string, object?>
                {
                    ["batch"] = o.Batch, ["hidden"] = o.Hidden, ["ffn"] = o.Ffn, ["bias"] = o.Bias, ["activation"] = ActivationNames.Name(o.Activation),
                    ["heads"] = o.Heads, ["context"] = o.Context, ["vocab"] = o.Vocab, ["layers"] = o.Layers, ["label_smoothing"] = o.LabelSmoothing,
                    ["tie_weights"] = o.TieWeights, ["sequence_parallel"] = o.SequenceParallel, ["layer_norm_eps"] = VerifyOptions.LayerNormEpsilon, ["seed"] = o.Seed,
                },
                ["tensors"] = report.Tensors.Select(t => new Dictionary<string, object?>
                {
                    ["file"] = t.File + ".npy",
                    ["name"] = t.Name,
                    ["kind"] = t.Kind,
                    ["shape"] = t.Tensor.Rank == 1 ? new[] { t.Tensor.Cols } : new[] { t.Tensor.Rows, t.Tensor.Cols },
                    ["transposed"] = t.Transposed,
                }).ToList(),
            };
            using (var file = new StreamWriter(Path.Combine(directory, "manifest.json"))) JsonOutput.WriteLine(file, manifest);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"--dump {directory}: the tensors could not all be written: {e.Message}";
        }
        log.WriteLine(report.Tensors.Count <= 12
            ? $"wrote {report.Tensors.Count} .npy files and manifest.json to {directory}: {string.Join(", ", report.Tensors.Select(t => t.File))}"
            : $"wrote {report.Tensors.Count} .npy files and manifest.json to {directory}");
        return null;
    }

    // JSON has no infinity or NaN: a value that is not finite is written as the largest double.
    private static double Finite(double value) => double.IsFinite(value) ? value : double.MaxValue;
}
