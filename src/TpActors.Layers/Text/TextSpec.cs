namespace TpActors.Layers.Text;

/// <summary>
/// What a GPT trains on: the UTF-8 text at <paramref name="Data"/> (a file or a directory, see <see cref="TextCorpus"/>),
/// read with <paramref name="Tokenizer"/>; its last <paramref name="ValidationShare"/> of tokens are held out for the
/// validation loss.
/// </summary>
/// <param name="Data">The file or directory, as given (a checkpoint records it, so a resumed run reads the same text).</param>
/// <param name="Tokenizer">The tokenizer and, for char, its vocabulary.</param>
/// <param name="ValidationShare">The share of the tokens held out, at the end of the text.</param>
public sealed record TextSpec(string Data, TokenizerSpec Tokenizer, float ValidationShare)
{
    /// <summary>Tokens held out for validation of a text of <paramref name="tokens"/>: the last ⌊tokens·share⌋.</summary>
    public long ValidationTokens(long tokens) => (long)Math.Floor(tokens * (double)ValidationShare);
}
