namespace TpActors.Layers.Text;

/// <summary>Text to token ids and back; every id is below <see cref="VocabularySize"/>.</summary>
public interface ITokenizer
{
    /// <summary>Its name on the command line and in checkpoints: "char" or "gpt2".</summary>
    string Name { get; }

    /// <summary>Tokens it can produce.</summary>
    int VocabularySize { get; }

    /// <summary>The ids of <paramref name="text"/>.</summary>
    /// <exception cref="ArgumentException">The text holds something the tokenizer cannot encode (a character outside a char vocabulary), named with its line and column.</exception>
    int[] Encode(string text);

    /// <summary>The text of <paramref name="ids"/>.</summary>
    string Decode(IEnumerable<int> ids);
}
