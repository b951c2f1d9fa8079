using TpActors.Layers.Tensors;

namespace TpActors.Layers.Parallel;

/// <summary>The argument checks every parallel layer makes, with messages that name the layer, the rank and both shapes.</summary>
internal static class LayerChecks
{
    public static void Sizes(string layer, int inFeatures, int outFeatures)
    {
        if (inFeatures < 1 || outFeatures < 1)
            throw new ArgumentOutOfRangeException(nameof(inFeatures), $"{layer} needs at least 1 input and 1 output feature, but got in={inFeatures}, out={outFeatures}.");
    }

    public static void Input(string layer, ParallelContext context, Tensor input, int expectedCols, string description)
    {
        if (input.Rank != 2 || input.Cols != expectedCols)
            throw new ArgumentException($"{layer}({description}) at rank {context.Rank} of {context.Size}: the input is {input.ShapeText} " +
                $"but must be [batch, {expectedCols}].");
    }
}
