using System.Text;

namespace TpActors.Layers.Text;

/// <summary>
/// One token per character (a Unicode scalar value), as nanoGPT's character-level Shakespeare: the vocabulary is the
/// text's distinct characters in order of code point, so the same text always makes the same ids.
/// </summary>
public sealed class CharTokenizer : ITokenizer
{
    private readonly Dictionary<int, int> _ids = [];
    private readonly Rune[] _characters;

    /// <summary>The tokenizer of <paramref name="characters"/>, each once, id i the i-th.</summary>
    /// <exception cref="ArgumentException">The vocabulary is empty or repeats a character.</exception>
    public CharTokenizer(string characters)
    {
        _characters = characters.EnumerateRunes().ToArray();
        if (_characters.Length == 0) throw new ArgumentException("A char tokenizer needs at least one character in its vocabulary.");
        for (int i = 0; i < _characters.Length; i++)
            if (!_ids.TryAdd(_characters[i].Value, i)) throw new ArgumentException($"The char vocabulary holds {Describe(_characters[i])} twice.");
    }

    /// <summary>The vocabulary of <paramref name="text"/>: its distinct characters in order of code point.</summary>
    public static string VocabularyOf(string text)
    {
        var seen = new SortedSet<int>();
        foreach (var rune in text.EnumerateRunes()) seen.Add(rune.Value);
        var builder = new StringBuilder();
        foreach (int value in seen) builder.Append(new Rune(value).ToString());
        return builder.ToString();
    }

    /// <summary>Characters in <paramref name="characters"/>.</summary>
    public static int CountOf(string characters) => characters.EnumerateRunes().Count();

    /// <inheritdoc/>
    public string Name => "char";

    /// <inheritdoc/>
    public int VocabularySize => _characters.Length;

    /// <summary>The vocabulary, id i the i-th character.</summary>
    public string Characters => string.Concat(_characters.Select(r => r.ToString()));

    /// <inheritdoc/>
    public int[] Encode(string text)
    {
        var ids = new List<int>(text.Length);
        int line = 1, column = 1;
        foreach (var rune in text.EnumerateRunes())
        {
            if (!_ids.TryGetValue(rune.Value, out int id))
                throw new ArgumentException($"{Describe(rune)} at {line}:{column} is not in the vocabulary of {_characters.Length} characters.");
            ids.Add(id);
            if (rune.Value == '\n') (line, column) = (line + 1, 1);
            else column++;
        }
        return [.. ids];
    }

    /// <inheritdoc/>
    public string Decode(IEnumerable<int> ids)
    {
        var builder = new StringBuilder();
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)_characters.Length) throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token {id} is not below the vocabulary's {_characters.Length}.");
            builder.Append(_characters[id].ToString());
        }
        return builder.ToString();
    }

    // "'é' (U+00E9)", or for an invisible one just its code point.
    private static string Describe(Rune rune) =>
        Rune.IsControl(rune) || Rune.IsWhiteSpace(rune) ? $"the character U+{rune.Value:X4}" : $"the character '{rune}' (U+{rune.Value:X4})";
}
