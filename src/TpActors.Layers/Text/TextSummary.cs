namespace TpActors.Layers.Text;

/// <summary>A GPT's text in numbers, for the run's summary: its tokens, characters and the split into training and held-out.</summary>
/// <param name="Text">The text and its tokenizer.</param>
/// <param name="Tokens">Tokens of the whole text.</param>
/// <param name="Characters">Characters of the whole text.</param>
/// <param name="TrainTokens">Tokens training windows are drawn from.</param>
/// <param name="ValidationTokens">Tokens held out at the end.</param>
/// <param name="UnigramEntropy">The entropy of the training tokens' frequencies, in nats: the loss of a model that knows no context.</param>
/// <param name="TokenFile">The mapped token file the ranks read.</param>
public sealed record TextSummary(TextSpec Text, long Tokens, long Characters, long TrainTokens, long ValidationTokens, double UnigramEntropy, string TokenFile)
{
    /// <summary>The text's numbers, checking on the way that both parts hold a window of <paramref name="context"/> + 1 tokens.</summary>
    /// <exception cref="InvalidDataException">The text or its held-out part is too short, or holds no text.</exception>
    public static TextSummary Of(TextSpec text, int context)
    {
        using var batches = new TokenBatches(text, 1, context, 0);
        return new(text, batches.TrainTokens + batches.ValidationTokens, batches.Characters, batches.TrainTokens, batches.ValidationTokens, batches.UnigramEntropy(), batches.TokenFilePath);
    }

    /// <summary>Bits per character of a loss of <paramref name="nats"/> per token: nats / ln 2 × tokens / characters.</summary>
    public double BitsPerCharacter(double nats) => nats / Math.Log(2) * Tokens / Math.Max(1, Characters);
}
