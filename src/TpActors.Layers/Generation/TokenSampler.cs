namespace TpActors.Layers.Generation;

/// <summary>
/// Picks the next token from a model's logits as nanoGPT's sample.py does: logits / temperature, all but the
/// <see cref="TopK"/> largest dropped, softmax, one draw. The draws come from a seeded generator, so a seed gives the same
/// text every time (on any TP size: every rank gathers the same logits).
/// </summary>
public sealed class TokenSampler
{
    private readonly Random _random;

    /// <summary>A sampler at <paramref name="temperature"/> (above 0) keeping the <paramref name="topK"/> likeliest tokens (0: all), drawing from <paramref name="seed"/>.</summary>
    public TokenSampler(double temperature, int topK, int seed)
    {
        if (!(temperature > 0) || double.IsInfinity(temperature)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be a number above 0.");
        if (topK < 0) throw new ArgumentOutOfRangeException(nameof(topK), topK, "Top-k must be 0 (every token) or more.");
        Temperature = temperature;
        TopK = topK;
        _random = new Random(seed);
    }

    /// <summary>The logits' divisor: below 1 sharpens, above 1 flattens.</summary>
    public double Temperature { get; }

    /// <summary>Tokens kept before the draw; 0 keeps all.</summary>
    public int TopK { get; }

    /// <summary>The next token for <paramref name="logits"/> over the whole vocabulary.</summary>
    public int Next(ReadOnlySpan<float> logits)
    {
        var scaled = new double[logits.Length];
        for (int i = 0; i < logits.Length; i++) scaled[i] = logits[i] / Temperature;
        double cut = double.NegativeInfinity;
        if (TopK > 0 && TopK < scaled.Length)
        {
            var sorted = (double[])scaled.Clone();
            Array.Sort(sorted);
            cut = sorted[^TopK]; // the k-th largest: anything below it is dropped, as torch.topk's threshold
        }
        double max = scaled.Max(), total = 0;
        var weights = new double[scaled.Length];
        for (int i = 0; i < scaled.Length; i++) total += weights[i] = scaled[i] < cut ? 0 : Math.Exp(scaled[i] - max);
        double draw = _random.NextDouble() * total;
        for (int i = 0; i < weights.Length; i++)
        {
            draw -= weights[i];
            if (draw < 0 && weights[i] > 0) return i;
        }
        return Array.FindLastIndex(weights, w => w > 0); // rounding left the draw at the very end
    }
}
