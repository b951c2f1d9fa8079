namespace TpActors.Layers.Tests.Parallel;

// Forward then backward of one layer on every rank, with every rank's outputs and shards.
internal sealed record LayerRun(Tensor[] Outputs, Tensor[] GradInputs, ParametersReply[] Parameters)
{
    /// <summary>An input of the given shape, uniform in ±1 from stream <paramref name="stream"/>.</summary>
    public static Tensor Input(int rows, int cols, string stream)
    {
        var t = Tensor.Uninitialized(rows, cols);
        MasterWeights.FillUniform(t, 99, stream, 0, 0, cols, 1);
        return t;
    }

    public static async Task<LayerRun> Execute(TensorParallelGroup group, LayerSpec spec, Tensor x, Func<int, Tensor> input, Func<int, Tensor> gradOutput)
    {
        await group.AskAll<RankDone>(_ => new CreateLayer("linear", group.Name, spec, 21));
        var outputs = await group.AskAll<TensorReply>(r => new Forward("linear", input(r)));
        var grads = await group.AskAll<TensorReply>(r => new Backward("linear", gradOutput(r)));
        var parameters = await group.AskAll<ParametersReply>(_ => new GetParameters("linear"));
        return new LayerRun(outputs.Select(o => o.Tensor).ToArray(), grads.Select(g => g.Tensor).ToArray(), parameters);
    }

    public Tensor Full(string name) => ShardAssembly.Assemble(Parameters.Select(r => r.Parameters), name);

    public Tensor FullGrad(string name) => ShardAssembly.Assemble(Parameters.Select(r => r.Parameters), name, gradient: true);

    public void AssertReplicasIdentical(Tensor[][] replicated)
    {
        foreach (var copies in replicated)
            foreach (var copy in copies)
                Assert.Equal(copies[0].ToArray().Select(BitConverter.SingleToInt32Bits), copy.ToArray().Select(BitConverter.SingleToInt32Bits));
    }
}
