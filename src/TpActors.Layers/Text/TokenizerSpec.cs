namespace TpActors.Layers.Text;

/// <summary>
/// Which tokenizer a GPT reads its text with, as its checkpoint records it: <c>char</c> with its
/// <paramref name="Characters"/> (the text's distinct characters, in order of code point: id i is the i-th), or <c>gpt2</c>
/// (GPT-2's byte-pair encoding, 50,257 tokens).
/// </summary>
/// <param name="Name">"char" or "gpt2".</param>
/// <param name="Characters">The char tokenizer's vocabulary; empty for gpt2.</param>
public sealed record TokenizerSpec(string Name, string Characters = "")
{
    /// <summary>The tokenizers <c>--tokenizer</c> takes.</summary>
    public static readonly string[] Names = ["char", "gpt2"];

    /// <summary>Tokens of the vocabulary.</summary>
    public int VocabularySize => Name == "gpt2" ? Gpt2Tokenizer.Size : CharTokenizer.CountOf(Characters);

    /// <summary>The tokenizer this spec names.</summary>
    /// <exception cref="ArgumentException">An unknown name, or a char vocabulary that is empty or repeats a character.</exception>
    public ITokenizer Create() => Name switch
    {
        "char" => new CharTokenizer(Characters),
        "gpt2" => Gpt2Tokenizer.Instance,
        _ => throw new ArgumentException($"The tokenizer is '{Name}'; TpActors has {string.Join(" and ", Names)}."),
    };
}
