using System.Text;
using TpActors.Layers.Text;

namespace TpActors.Layers.Tests.Text;

// Tokenizers, reading a text, its token file and the batches drawn from it.
public sealed class TextDataTests
{
    [Fact]
    public void CharTokenizer_RoundTrips_AndNamesAnUnknownCharacterWhereItIs()
    {
        string vocabulary = CharTokenizer.VocabularyOf("hello, wörld\n😀");
        Assert.Equal(" \n,dehlorw\u00f6\U0001F600".EnumerateRunes().OrderBy(r => r.Value).Select(r => r.ToString()).Aggregate("", string.Concat), vocabulary);
        var tokenizer = new CharTokenizer(vocabulary);
        Assert.Equal(12, tokenizer.VocabularySize); // the emoji is one character, not two UTF-16 units
        int[] ids = tokenizer.Encode("world 😀\nhello");
        Assert.Equal("world 😀\nhello", tokenizer.Decode(ids));
        var error = Assert.Throws<ArgumentException>(() => tokenizer.Encode("hello\nwoRld"));
        Assert.Equal("the character 'R' (U+0052) at 2:3 is not in the vocabulary of 12 characters.", error.Message);
    }

    [Fact]
    public void Gpt2Tokenizer_EncodesAsGpt2Does_LongTextsAsWholeOnes()
    {
        var gpt2 = Gpt2Tokenizer.Instance;
        Assert.Equal(50257, gpt2.VocabularySize);
        Assert.Equal([15496, 995], gpt2.Encode("Hello world")); // GPT-2's ids, as tiktoken and HuggingFace give them
        // Longer than one piece (64 Ki characters): the pieces end where GPT-2 splits anyway.
        var text = new StringBuilder();
        for (int i = 0; text.Length < 200_000; i++) text.Append($"Line {i} of the text.\n\n  indented {i % 7}\n");
        int[] ids = gpt2.Encode(text.ToString());
        Assert.Equal(text.ToString(), gpt2.Decode(ids));
        Assert.Equal(ids.Length, gpt2.Encode(text.ToString()[..100_003]).Length + gpt2.Encode(text.ToString()[100_003..]).Length, tolerance: 2);
    }

    [Fact]
    public void Corpus_ReadsADirectoryOnce_PassingOverBinaryFiles_AndRefusesWhatIsNotText()
    {
        using var dir = new TempDirectory();
        dir.Write("b", "second\n");
        dir.Write("a", "first\n");
        File.WriteAllBytes(dir.File("a.dat"), [1, 0, 2, 3]);
        File.CreateSymbolicLink(dir.File("a.u8"), dir.File("a"));
        var corpus = TextCorpus.Read(dir.Path);
        Assert.Equal("first\nsecond\n", corpus.Text);
        Assert.Equal(1, corpus.Skipped);

        File.WriteAllBytes(dir.File("latin1.txt"), [0x63, 0x61, 0x66, 0xE9, 0x0A]);
        Assert.Contains("latin1.txt: byte 3 (0xE9) is not UTF-8; --data takes UTF-8 text.", Assert.Throws<InvalidDataException>(() => TextCorpus.Read(dir.File("latin1.txt"))).Message);
        Assert.Contains("a.dat: byte 1 is NUL: it is a binary file", Assert.Throws<InvalidDataException>(() => TextCorpus.Read(dir.File("a.dat"))).Message);
        dir.Write("empty.txt", "");
        Assert.Contains("empty.txt: the text is empty", Assert.Throws<InvalidDataException>(() => TextCorpus.Read(dir.File("empty.txt"))).Message);
        Directory.CreateDirectory(dir.File("none"));
        Assert.Contains("holds no files", Assert.Throws<InvalidDataException>(() => TextCorpus.Read(dir.File("none"))).Message);
        Assert.Contains("no such file or directory", Assert.Throws<ArgumentException>(() => TextCorpus.Read(dir.File("missing"))).Message);
    }

    [Fact]
    public void TokenFile_TokenizesOnce_AndAgainWhenTheTextChanges()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("text.txt", "abcabcabd");
        var text = new TextSpec(path, new TokenizerSpec("char", "abcd"), 0.25f);
        using (var first = TokenFile.Open(text, dir.File("cache")))
        {
            Assert.Equal(9, first.Count);
            Assert.Equal(9, first.Characters);
            Assert.Equal(2, first.Width);
            Assert.Equal([0, 1, 2, 0, 1, 2, 0, 1, 3], Enumerable.Range(0, 9).Select(i => first[i]));
            File.WriteAllText(first.Path, "garbage"); // a broken file is written anew, not read
        }
        using (var again = TokenFile.Open(text, dir.File("cache"))) Assert.Equal(9, again.Count);
        File.WriteAllText(path, "dcba");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        using var changed = TokenFile.Open(text, dir.File("cache"));
        Assert.Equal([3, 2, 1, 0], Enumerable.Range(0, 4).Select(i => changed[i]));
    }

    [Fact]
    public void Batches_AreWindowsOfTheText_TargetsTheNextTokens_ValidationOnlyFromTheHeldOutEnd()
    {
        using var dir = new TempDirectory();
        // Every token differs from its neighbours in a known way: token i is i mod 50, so a window's next token is (id + 1) mod 50.
        string characters = string.Concat(Enumerable.Range(0, 50).Select(i => (char)('0' + i)));
        string path = dir.Write("text.txt", string.Concat(Enumerable.Range(0, 1000).Select(i => characters[i % 50])));
        var text = new TextSpec(path, new TokenizerSpec("char", characters), 0.2f);
        using var batches = new TokenBatches(text, batch: 3, context: 8, seed: 7);
        Assert.Equal(800, batches.TrainTokens);
        Assert.Equal(200, batches.ValidationTokens);
        var (inputs, targets) = batches.Batch(5);
        using (inputs)
        using (targets)
        {
            Assert.Equal([24, 2], inputs.Shape);
            var rows = inputs.ToArray();
            for (int r = 0; r < 24; r++)
            {
                Assert.Equal((rows[2 * r] + 1) % 50, rows[2 * r + 1]);
                Assert.Equal(rows[2 * r + 1], targets.ToArray()[r]);
                if (r % 8 != 0) Assert.Equal((rows[2 * r - 2] + 1) % 50, rows[2 * r]); // consecutive within a window
            }
            var (again, againTargets) = batches.Batch(5);
            using (again) using (againTargets) Assert.Equal(rows, again.ToArray());
        }
        // The held-out part starts at token 800: a validation window's first id is that of a position ≥ 800.
        long trainWindows = 800 - 8, heldOutWindows = 200 - 8;
        for (int b = 0; b < 3; b++)
        {
            Assert.InRange(TokenBatches.WindowStart(7, 1, 5, b, trainWindows), 0, trainWindows - 1);
            Assert.InRange(800 + TokenBatches.WindowStart(7, 2, 1, b, heldOutWindows), 800, 1000 - 9);
        }
        var (validation, validationTargets) = batches.ValidationBatch(1);
        using (validation) using (validationTargets)
            Assert.Equal((float)((800 + TokenBatches.WindowStart(7, 2, 1, 0, heldOutWindows)) % 50), validation.ToArray()[0]);
    }

    [Fact]
    public void Batches_RefuseATextShorterThanTheContext()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("short.txt", "abcdefghij");
        var error = Assert.Throws<InvalidDataException>(() => new TokenBatches(new TextSpec(path, new TokenizerSpec("char", "abcdefghij"), 0f), 1, 16, 1));
        Assert.Contains("its training part is 10 tokens (char), shorter than one window of the context 16 + 1", error.Message);
        var heldOut = Assert.Throws<InvalidDataException>(() => new TokenBatches(new TextSpec(path, new TokenizerSpec("char", "abcdefghij"), 0.1f), 1, 4, 1));
        Assert.Contains("its held-out part is 1 tokens", heldOut.Message);
    }
}
