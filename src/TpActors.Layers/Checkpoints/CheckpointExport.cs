using System.Globalization;
using System.Text.Json;
using TpActors.Layers.Models;
using TpActors.Layers.Tensors;

namespace TpActors.Layers.Checkpoints;

/// <summary>
/// A checkpoint's weights as one unsharded safetensors file that a plain PyTorch model loads with <c>load_state_dict</c>:
/// every parameter whole (the ranks' shards joined), under the names the verify manifest uses, linear weights transposed to
/// nn.Linear's [out, in], no optimizer state. With weight tying the LM head is written too, as a copy of the embedding (a
/// safetensors file holds no shared tensors; loading it fills the one shared parameter twice with the same values).
/// </summary>
public static class CheckpointExport
{
    private static readonly JsonSerializerOptions Snake = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Writes <paramref name="checkpoint"/>'s weights to <paramref name="path"/>; returns the names written, in order.</summary>
    public static IReadOnlyList<string> Write(Checkpoint checkpoint, string path)
    {
        var metadata = checkpoint.Metadata;
        var model = metadata.ModelSpec;
        var tensors = new List<(string Name, Tensor Value)>();
        try
        {
            foreach (var tensor in metadata.Tensors.Where(t => !metadata.OptimizerSpec.IsSlot(t.Name)))
            {
                var full = checkpoint.Full(tensor.Name);
                tensors.Add((tensor.Name, model.IsLinearWeight(tensor.Name) ? Transposed(full) : full.Clone()));
            }
            if (model is GptModelSpec { TieEmbeddings: true }) tensors.Add(("lm_head.weight", checkpoint.Full("wte.weight").Clone()));
            // What a script needs to go on training it as the run did: the model, the optimizer and its schedule, the batch and seed.
            var header = new Dictionary<string, string>
            {
                ["format"] = "pt",
                ["step"] = metadata.Step.ToString(CultureInfo.InvariantCulture),
                ["model"] = ModelSpecJson.ToJson(model),
                ["optimizer"] = JsonSerializer.Serialize(metadata.Optimizer, Snake),
                ["task"] = JsonSerializer.Serialize(metadata.Task, Snake),
            };
            SafeTensorsFile.Write(path, tensors, header);
            return tensors.Select(t => t.Name).ToList();
        }
        finally
        {
            foreach (var (_, value) in tensors) value.Dispose();
        }
    }

    // [in, out] as [out, in].
    private static Tensor Transposed(Tensor matrix)
    {
        var result = Tensor.Uninitialized(matrix.Cols, matrix.Rows);
        var target = result.Span;
        for (int r = 0; r < matrix.Rows; r++)
        {
            var row = matrix.Row(r);
            for (int c = 0; c < row.Length; c++) target[c * matrix.Rows + r] = row[c];
        }
        return result;
    }
}
