using TpActors.Layers.Data;
using TpActors.Layers.Tensors;

namespace TpActors.Layers.Text;

/// <summary>
/// A GPT's batches from a mapped text: each is <c>batch</c> windows of <c>context + 1</c> tokens, the first context of
/// them the inputs and the last context the targets, laid out as the [batch·context, 2] rows (id, target) that
/// <see cref="Parallel.ParallelGpt"/> takes. Training windows start anywhere in the first part of the text, validation
/// windows in the held-out end (<see cref="TextSpec.ValidationShare"/>), so no training batch sees a validation token.
/// Where a window starts is a hash (SplitMix64) of the seed, the stream, the step and the window: a pure function, so every
/// rank, a replayed step and a resumed run read the same tokens, and a script can draw the same batches.
/// </summary>
public sealed class TokenBatches : IBatchSource
{
    private const ulong TrainStream = 1, ValidationStream = 2;

    private readonly TokenFile _tokens;
    private readonly int _batch, _context, _vocabulary;
    private readonly long _seed;

    /// <summary>Batches of <paramref name="batch"/> windows of <paramref name="context"/> tokens of <paramref name="text"/>, from <paramref name="seed"/>.</summary>
    /// <exception cref="InvalidDataException">The text, or its held-out part, is shorter than one window.</exception>
    public TokenBatches(TextSpec text, int batch, int context, long seed)
    {
        _tokens = TokenFile.Open(text);
        (_batch, _context, _seed, _vocabulary) = (batch, context, seed, text.Tokenizer.VocabularySize);
        ValidationTokens = text.ValidationTokens(_tokens.Count);
        TrainTokens = _tokens.Count - ValidationTokens;
        RequireWindow(text, TrainTokens, "training");
        if (text.ValidationShare > 0) RequireWindow(text, ValidationTokens, "held-out");
    }

    /// <summary>Tokens the training windows are drawn from (the start of the text).</summary>
    public long TrainTokens { get; }

    /// <summary>Tokens held out for validation (the end of the text).</summary>
    public long ValidationTokens { get; }

    /// <summary>The mapped token file (its format: <see cref="TokenFile"/>).</summary>
    public string TokenFilePath => _tokens.Path;

    /// <summary>Characters of the whole text, for bits per character.</summary>
    public long Characters => _tokens.Characters;

    /// <summary>Start of window <paramref name="window"/> of draw <paramref name="n"/> of <paramref name="stream"/> among <paramref name="starts"/> positions.</summary>
    public static long WindowStart(long seed, ulong stream, long n, int window, long starts) =>
        (long)(Mix(Mix(Mix((ulong)seed ^ stream) + (ulong)n) + (ulong)window) % (ulong)starts);

    /// <summary>The entropy in nats of the training tokens' frequencies: −Σ p log p over the vocabulary.</summary>
    public double UnigramEntropy()
    {
        var counts = new long[_vocabulary];
        for (long i = 0; i < TrainTokens; i++) counts[_tokens[i]]++;
        double entropy = 0;
        foreach (long count in counts)
        {
            if (count == 0) continue;
            double p = count / (double)TrainTokens;
            entropy -= p * Math.Log(p);
        }
        return entropy;
    }

    /// <inheritdoc/>
    public (Tensor Inputs, Tensor Targets) Batch(long step)
    {
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), step, "Steps count from 1.");
        return Draw(TrainStream, step, 0, TrainTokens);
    }

    /// <inheritdoc/>
    public (Tensor Inputs, Tensor Targets) ValidationBatch(int index)
    {
        if (index < 1) throw new ArgumentOutOfRangeException(nameof(index), index, "Validation batches count from 1.");
        if (ValidationTokens == 0) throw new InvalidOperationException("No tokens are held out for validation (the validation share is 0).");
        return Draw(ValidationStream, index, TrainTokens, ValidationTokens);
    }

    /// <inheritdoc/>
    public void Dispose() => _tokens.Dispose();

    // Windows from the part [first, first + length) of the text: rows (id, next id), and the targets alone as [N, 1].
    private (Tensor Inputs, Tensor Targets) Draw(ulong stream, long n, long first, long length)
    {
        var rows = new float[2 * _batch * _context];
        var next = new float[_batch * _context];
        long starts = length - _context; // a window needs context + 1 tokens
        for (int b = 0; b < _batch; b++)
        {
            long start = first + WindowStart(_seed, stream, n, b, starts);
            for (int t = 0; t < _context; t++)
            {
                int row = b * _context + t;
                rows[2 * row] = _tokens[start + t];
                rows[2 * row + 1] = next[row] = _tokens[start + t + 1];
            }
        }
        return (Tensor.FromArray(rows, _batch * _context, 2), Tensor.FromArray(next, _batch * _context, 1));
    }

    private void RequireWindow(TextSpec text, long tokens, string part)
    {
        if (tokens < _context + 1)
            throw new InvalidDataException($"{text.Data}: its {part} part is {tokens} tokens ({text.Tokenizer.Name}), shorter than one window of the context {_context} + 1; " +
                (part == "training" ? "give more text or a shorter --context." : "give more text, a shorter --context or a larger validation share."));
    }

    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
