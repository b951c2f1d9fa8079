using System.Diagnostics;
using TpActors.Layers.Parallel;
using TpActors.Layers.Tensors;
using Akka.Actor;
using static TpActors.Layers.Verification.ReferenceMath;
using TpActors.Layers.Sharding;
using TpActors.Layers.Ranks;

namespace TpActors.Layers.Verification;

/// <summary>
/// The scripted verification behind <c>tpactors verify</c>: stands up a group of rank actors and checks, against the full
/// computation in float64 on the assembled weights, the column-parallel linear (gathered output), the row-parallel linear
/// (full input, reduced output) and the Megatron MLP, forward and backward (dX, dW, db), and that every rank holds
/// bit-identical copies of what the collectives replicate. <c>--model</c> picks the checks: the linears, the MLP, a
/// transformer block, or a whole GPT (every parameter's gradient).
/// </summary>
public static partial class TensorParallelVerification
{
    // Numbers the runs in a process, so that each run's rank actors get fresh names.
    private static int s_runs;

    /// <summary>Runs every check.</summary>
    public static async Task<VerifyReport> RunAsync(ActorSystem system, VerifyOptions options, RankSettings settings, IReadOnlyList<Runtime.Cluster.SlotAssignment>? placement = null)
    {
        options.Validate();
        var clock = Stopwatch.StartNew();
        var checks = new List<CheckResult>();
        var identity = new RankIdentity();
        await using var group = await TensorParallelGroup.StartAsync(system, options.Tp, settings, $"verify-{Interlocked.Increment(ref s_runs)}", placement);
        var dump = new List<DumpedTensor>();
        if (options.Model is "linear-mlp" or "linear")
        {
            // Column-parallel, output gathered (Y = X·A + a, A [hidden, ffn]); row-parallel, full input split inside (Y = X·B + b, B [ffn, hidden]).
            int h = options.Hidden, f = options.Ffn;
            await CheckLinear(group, options, "column", new ColumnLinearSpec(h, f, options.Bias, GatherOutput: true), h, f, checks, identity);
            ReleaseReferences();
            await CheckLinear(group, options, "row", new RowLinearSpec(f, h, options.Bias, InputIsParallel: false), f, h, checks, identity);
            ReleaseReferences();
        }
        if (options.Model is "linear-mlp" or "mlp") await CheckMlp(group, options, checks, identity, dump);
        if (options.Model == "block") await CheckBlock(group, options, checks, identity, dump);
        if (options.Model == "gpt") await CheckGpt(group, options, checks, identity, dump);

        checks.Add(new CheckResult($"replicas bit-identical on all {options.Tp} ranks", $"{identity.Compared} tensors", identity.MaxDifference, identity.MaxDifference, 0));
        return new VerifyReport(options, checks, group.BackendDescription, clock.Elapsed, dump);
    }

    // The Megatron MLP: Y = act(X·A + a)·B + b.
    private static async Task CheckMlp(TensorParallelGroup group, VerifyOptions options, List<CheckResult> checks, RankIdentity identity, List<DumpedTensor> dump)
    {
        int b = options.Batch, h = options.Hidden, f = options.Ffn;
        var x = Input(options, "mlp.x", b, h);
        var dy = Input(options, "mlp.dy", b, h);
        using var run = await RunLayer(group, "mlp", new MlpSpec(h, f, options.Bias, options.Activation), options.Seed, _ => x.Clone(), _ => dy.Clone(), identity);
        // The files keep their short names (x, w1, …); the manifest names each tensor as in nn.Sequential(fc1, act, fc2).
        var tensors = new Dictionary<string, Tensor>
        {
            ["x"] = x, ["w1"] = run.Full("mlp.fc1.weight"), ["w2"] = run.Full("mlp.fc2.weight"), ["y"] = run.Output.Clone(), ["dy"] = dy,
            ["dx"] = run.GradInput.Clone(), ["dw1"] = run.FullGrad("mlp.fc1.weight"), ["dw2"] = run.FullGrad("mlp.fc2.weight"),
        };
        if (options.Bias)
        {
            tensors["b1"] = run.Full("mlp.fc1.bias");
            tensors["b2"] = run.Full("mlp.fc2.bias");
            tensors["db1"] = run.FullGrad("mlp.fc1.bias");
            tensors["db2"] = run.FullGrad("mlp.fc2.bias");
        }
        run.Dispose(); // the shards are assembled: their memory serves the float64 references below
        foreach (var (file, name, kind, transposed) in new[]
        {
            ("x", "x", "input", false), ("w1", "fc1.weight", "parameter", true), ("b1", "fc1.bias", "parameter", false), ("w2", "fc2.weight", "parameter", true),
            ("b2", "fc2.bias", "parameter", false), ("y", "y", "output", false), ("dy", "grad.y", "input", false), ("dx", "grad.x", "gradient", false),
            ("dw1", "grad.fc1.weight", "gradient", true), ("db1", "grad.fc1.bias", "gradient", false), ("dw2", "grad.fc2.weight", "gradient", true),
            ("db2", "grad.fc2.bias", "gradient", false),
        })
            if (tensors.TryGetValue(file, out var tensor)) dump.Add(new DumpedTensor(file, name, kind, tensor, transposed));

        var X = ToDouble(x);
        var dY = ToDouble(dy);
        var w1 = ToDouble(tensors["w1"]);
        var w2 = ToDouble(tensors["w2"]);
        var b1 = options.Bias ? ToDouble(tensors["b1"]) : null;
        var b2 = options.Bias ? ToDouble(tensors["b2"]) : null;
        var hPre = AddBias(MatMul(X, w1), b1);                  // [batch, ffn]
        var z = Activate(options.Activation, hPre);
        var y = AddBias(MatMul(z, w2), b2);                     // [batch, hidden]
        var dZ = MatMul(dY, w2, transposeB: true);
        var dH = ActivateBackward(options.Activation, hPre, dZ);
        checks.Add(CheckResult.Compare("mlp forward Y", tensors["y"], y, options.Tolerance));
        checks.Add(CheckResult.Compare("mlp backward dX", tensors["dx"], MatMul(dH, w1, transposeB: true), options.Tolerance));
        checks.Add(CheckResult.Compare("mlp backward dW1", tensors["dw1"], MatMul(X, dH, transposeA: true), options.Tolerance));
        if (options.Bias) checks.Add(CheckResult.Compare("mlp backward db1", tensors["db1"], ColumnSums(dH), options.Tolerance));
        checks.Add(CheckResult.Compare("mlp backward dW2", tensors["dw2"], MatMul(z, dY, transposeA: true), options.Tolerance));
        if (options.Bias) checks.Add(CheckResult.Compare("mlp backward db2", tensors["db2"], ColumnSums(dY), options.Tolerance));
    }

    // One linear layer Y = X·W + b on the group: forward and backward against the float64 reference.
    private static async Task CheckLinear(TensorParallelGroup group, VerifyOptions options, string name, LayerSpec spec, int inFeatures, int outFeatures,
        List<CheckResult> checks, RankIdentity identity)
    {
        using var x = Input(options, $"{name}.x", options.Batch, inFeatures);
        using var dy = Input(options, $"{name}.dy", options.Batch, outFeatures);
        using var run = await RunLayer(group, name, spec, options.Seed, _ => x.Clone(), _ => dy.Clone(), identity);
        double[,] w;
        using (var full = run.Full($"{name}.weight")) w = ToDouble(full);
        double[,]? bias = null;
        if (options.Bias)
            using (var full = run.Full($"{name}.bias")) bias = ToDouble(full);
        var X = ToDouble(x);
        var dY = ToDouble(dy);
        checks.Add(CheckResult.Compare($"{name} forward Y", run.Output, AddBias(MatMul(X, w), bias), options.Tolerance));
        checks.Add(CheckResult.Compare($"{name} backward dX", run.GradInput, MatMul(dY, w, transposeB: true), options.Tolerance));
        using (var dW = run.FullGrad($"{name}.weight")) checks.Add(CheckResult.Compare($"{name} backward dW", dW, MatMul(X, dY, transposeA: true), options.Tolerance));
        if (options.Bias)
            using (var db = run.FullGrad($"{name}.bias")) checks.Add(CheckResult.Compare($"{name} backward db", db, ColumnSums(dY), options.Tolerance));
    }

    // The float64 references of a check are garbage once it is done; at large sizes they are most of the process's
    // memory, so they are collected before the next check allocates its own (VerifyOptions counts one check's worth).
    private static void ReleaseReferences() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);

    /// <summary>An input [rows, cols] uniform in [−1, 1), from its own seeded stream.</summary>
    public static Tensor Input(VerifyOptions options, string stream, int rows, int cols)
    {
        var t = Tensor.Uninitialized(rows, cols);
        MasterWeights.FillUniform(t, options.Seed, stream, 0, 0, cols, 1f);
        return t;
    }

    // Builds the layer on every rank, runs forward on each rank's input and backward on its output gradient, and collects
    // outputs and shards. With a sequence split, each rank's output and input gradient are its rows, assembled here;
    // otherwise every rank's are the whole tensor, and must be bit-identical.
    private static async Task<LayerRun> RunLayer(TensorParallelGroup group, string name, LayerSpec spec, long seed, Func<int, Tensor> input, Func<int, Tensor> gradOutput,
        RankIdentity identity, bool rowsSplit = false)
    {
        await group.AskAll<RankDone>(_ => new CreateLayer(name, group.Name, spec, seed));
        var outputs = await group.AskAll<TensorReply>(r => new Forward(name, input(r)));
        var gradInputs = await group.AskAll<TensorReply>(r => new Backward(name, gradOutput(r)));
        var parameters = await group.AskAll<ParametersReply>(_ => new GetParameters(name));
        if (!rowsSplit)
        {
            identity.Check(outputs.Select(o => o.Tensor).ToList());
            identity.Check(gradInputs.Select(o => o.Tensor).ToList());
        }
        foreach (var replicated in parameters[0].Parameters.Where(p => p.Axis == ShardAxis.Replicated).Select(p => p.Name))
        {
            identity.Check(parameters.Select(r => r.Parameters.Single(p => p.Name == replicated).Value).ToList());
            identity.Check(parameters.Select(r => r.Parameters.Single(p => p.Name == replicated).Gradient).ToList());
        }
        Tensor Whole(TensorReply[] replies)
        {
            if (!rowsSplit) return replies[0].Tensor;
            var whole = ShardAssembly.Assemble(replies.Select(o => o.Tensor).ToList(), ShardAxis.Rows);
            replies[0].Tensor.Dispose();
            return whole;
        }
        var output = Whole(outputs);
        var gradInput = Whole(gradInputs);
        foreach (var other in outputs.Skip(1).Concat(gradInputs.Skip(1))) other.Tensor.Dispose();
        return new LayerRun(output, gradInput, parameters);
    }

    // One layer's results: its whole output and input gradient, and every rank's shards.
    private sealed record LayerRun(Tensor Output, Tensor GradInput, ParametersReply[] Parameters) : IDisposable
    {
        public Tensor Full(string parameter) => ShardAssembly.Assemble(Parameters.Select(r => r.Parameters), parameter);

        public Tensor FullGrad(string parameter) => ShardAssembly.Assemble(Parameters.Select(r => r.Parameters), parameter, gradient: true);

        public IEnumerable<string> ParameterNames => Parameters[0].Parameters.Select(p => p.Name);

        public void Dispose()
        {
            Output.Dispose();
            GradInput.Dispose();
            foreach (var shard in Parameters.SelectMany(reply => reply.Parameters))
            {
                shard.Value.Dispose();
                shard.Gradient.Dispose();
            }
        }
    }

    // Tracks the largest difference between ranks' copies of tensors that the collectives should make identical.
    private sealed class RankIdentity
    {
        public int Compared { get; private set; }

        public double MaxDifference { get; private set; }

        public void Check(IReadOnlyList<Tensor> copies)
        {
            Compared++;
            var first = copies[0].ToArray();
            foreach (var copy in copies.Skip(1))
            {
                var values = copy.ToArray();
                if (values.Length != first.Length) { MaxDifference = double.PositiveInfinity; continue; }
                for (int i = 0; i < values.Length; i++)
                    if (BitConverter.SingleToInt32Bits(values[i]) != BitConverter.SingleToInt32Bits(first[i]))
                        MaxDifference = Math.Max(MaxDifference, Math.Abs((double)values[i] - first[i]) is var d && d > 0 ? d : double.Epsilon);
            }
        }
    }
}
