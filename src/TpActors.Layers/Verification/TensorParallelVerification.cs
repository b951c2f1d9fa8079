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
/// bit-identical copies of what the collectives replicate.
/// </summary>
public static class TensorParallelVerification
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
        int b = options.Batch, h = options.Hidden, f = options.Ffn;

        // Column-parallel, output gathered (Y = X·A + a, A [hidden, ffn]); row-parallel, full input split inside (Y = X·B + b, B [ffn, hidden]).
        await CheckLinear(group, options, "column", new ColumnLinearSpec(h, f, options.Bias, GatherOutput: true), h, f, checks, identity);
        ReleaseReferences();
        await CheckLinear(group, options, "row", new RowLinearSpec(f, h, options.Bias, InputIsParallel: false), f, h, checks, identity);
        ReleaseReferences();

        // The Megatron MLP: Y = act(X·A + a)·B + b.
        var dump = new Dictionary<string, Tensor>();
        {
            var x = Input(options, "mlp.x", b, h);
            var dy = Input(options, "mlp.dy", b, h);
            using var run = await RunLayer(group, "mlp", new MlpSpec(h, f, options.Bias, options.Activation), options.Seed, x, dy, identity);
            dump["x"] = x;
            dump["w1"] = run.Full("mlp.fc1.weight");
            dump["w2"] = run.Full("mlp.fc2.weight");
            dump["y"] = run.Output.Clone();
            dump["dy"] = dy;
            dump["dx"] = run.GradInput.Clone();
            dump["dw1"] = run.FullGrad("mlp.fc1.weight");
            dump["dw2"] = run.FullGrad("mlp.fc2.weight");
            if (options.Bias)
            {
                dump["b1"] = run.Full("mlp.fc1.bias");
                dump["b2"] = run.Full("mlp.fc2.bias");
                dump["db1"] = run.FullGrad("mlp.fc1.bias");
                dump["db2"] = run.FullGrad("mlp.fc2.bias");
            }
            run.Dispose(); // the shards are assembled: their memory serves the float64 references below

            var X = ToDouble(x);
            var dY = ToDouble(dy);
            var w1 = ToDouble(dump["w1"]);
            var w2 = ToDouble(dump["w2"]);
            var b1 = options.Bias ? ToDouble(dump["b1"]) : null;
            var b2 = options.Bias ? ToDouble(dump["b2"]) : null;
            var hPre = AddBias(MatMul(X, w1), b1);                  // [batch, ffn]
            var z = Activate(options.Activation, hPre);
            var y = AddBias(MatMul(z, w2), b2);                     // [batch, hidden]
            var dZ = MatMul(dY, w2, transposeB: true);
            var dH = ActivateBackward(options.Activation, hPre, dZ);
            checks.Add(CheckResult.Compare("mlp forward Y", dump["y"], y, options.Tolerance));
            checks.Add(CheckResult.Compare("mlp backward dX", dump["dx"], MatMul(dH, w1, transposeB: true), options.Tolerance));
            checks.Add(CheckResult.Compare("mlp backward dW1", dump["dw1"], MatMul(X, dH, transposeA: true), options.Tolerance));
            if (options.Bias) checks.Add(CheckResult.Compare("mlp backward db1", dump["db1"], ColumnSums(dH), options.Tolerance));
            checks.Add(CheckResult.Compare("mlp backward dW2", dump["dw2"], MatMul(z, dY, transposeA: true), options.Tolerance));
            if (options.Bias) checks.Add(CheckResult.Compare("mlp backward db2", dump["db2"], ColumnSums(dY), options.Tolerance));
        }

        checks.Add(new CheckResult($"replicas bit-identical on all {options.Tp} ranks", $"{identity.Compared} tensors", identity.MaxDifference, identity.MaxDifference, 0));
        return new VerifyReport(options, checks, group.BackendDescription, clock.Elapsed, dump);
    }

    // One linear layer Y = X·W + b on the group: forward and backward against the float64 reference.
    private static async Task CheckLinear(TensorParallelGroup group, VerifyOptions options, string name, LayerSpec spec, int inFeatures, int outFeatures,
        List<CheckResult> checks, RankIdentity identity)
    {
        using var x = Input(options, $"{name}.x", options.Batch, inFeatures);
        using var dy = Input(options, $"{name}.dy", options.Batch, outFeatures);
        using var run = await RunLayer(group, name, spec, options.Seed, x, dy, identity);
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

    // Builds the layer on every rank, runs forward on x and backward on dy, and collects outputs and shards.
    private static async Task<LayerRun> RunLayer(TensorParallelGroup group, string name, LayerSpec spec, long seed, Tensor x, Tensor dy, RankIdentity identity)
    {
        await group.AskAll<RankDone>(_ => new CreateLayer(name, group.Name, spec, seed));
        var outputs = await group.AskAll<TensorReply>(_ => new Forward(name, x.Clone()));
        var gradInputs = await group.AskAll<TensorReply>(_ => new Backward(name, dy.Clone()));
        var parameters = await group.AskAll<ParametersReply>(_ => new GetParameters(name));
        identity.Check(outputs.Select(o => o.Tensor).ToList());
        identity.Check(gradInputs.Select(o => o.Tensor).ToList());
        foreach (var replicated in parameters[0].Parameters.Where(p => p.Axis == ShardAxis.Replicated).Select(p => p.Name))
        {
            identity.Check(parameters.Select(r => r.Parameters.Single(p => p.Name == replicated).Value).ToList());
            identity.Check(parameters.Select(r => r.Parameters.Single(p => p.Name == replicated).Gradient).ToList());
        }
        foreach (var other in outputs.Skip(1).Concat(gradInputs.Skip(1))) other.Tensor.Dispose();
        return new LayerRun(outputs[0].Tensor, gradInputs[0].Tensor, parameters);
    }

    // One layer's results: rank 0's output and input gradient (identical on all ranks) and every rank's shards.
    private sealed record LayerRun(Tensor Output, Tensor GradInput, ParametersReply[] Parameters) : IDisposable
    {
        public Tensor Full(string parameter) => ShardAssembly.Assemble(Parameters.Select(r => r.Parameters), parameter);

        public Tensor FullGrad(string parameter) => ShardAssembly.Assemble(Parameters.Select(r => r.Parameters), parameter, gradient: true);

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
