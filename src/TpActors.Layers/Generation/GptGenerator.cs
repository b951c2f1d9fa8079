using TpActors.Layers.Checkpoints;
using TpActors.Layers.Models;
using TpActors.Layers.Parallel;
using TpActors.Layers.Ranks;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Generation;

/// <summary>
/// Generates text from a GPT checkpoint on a tensor-parallel group of rank actors in this process: each rank builds its
/// part of the model, takes its shards of the checkpoint's weights (cut for the group's size, so any TP serves any
/// checkpoint) and keeps a <see cref="KvCache"/> of its own heads per block. The prompt is decoded in one call; each new
/// token then costs one position. When the context is full, the last half of it is decoded again from position 0 (the
/// position embedding is absolute) and generation goes on.
/// </summary>
public sealed class GptGenerator : IAsyncDisposable
{
    private readonly TensorParallelGroup _group;
    private readonly RankPart[] _parts;
    private readonly List<int> _window = []; // the tokens the caches hold, in order
    private readonly int _context;

    private GptGenerator(TensorParallelGroup group, GptModelSpec model, RankPart[] parts, int context)
    {
        _group = group;
        Model = model;
        _parts = parts;
        _context = context;
    }

    /// <summary>The checkpoint's model.</summary>
    public GptModelSpec Model { get; }

    /// <summary>
    /// Builds the model of <paramref name="checkpoint"/> on <paramref name="group"/>, conditioning on at most
    /// <paramref name="context"/> tokens (at most the model's context).
    /// </summary>
    /// <exception cref="ArgumentException">The checkpoint holds no GPT, or the context is out of range, or its heads do not split over the group.</exception>
    public static async Task<GptGenerator> StartAsync(TensorParallelGroup group, Checkpoint checkpoint, int context)
    {
        var model = ModelOf(checkpoint);
        RequireContext(model, context);
        var spec = model.Layer with { SequenceParallelTokens = 0 };
        spec.RequireSizes(group.Size);
        var parts = new RankPart[group.Size];
        await group.RunOnEachRank(rank =>
        {
            using var state = checkpoint.Cut(rank.Size, rank.Rank);
            var gpt = new ParallelGpt(rank, spec, 0, name: "");
            foreach (var p in gpt.Parameters) rank.Backend.Copy(state[p.Name].Value, p.Value);
            parts[rank.Rank] = new RankPart(gpt, gpt.NewCaches());
            return 0;
        }).ConfigureAwait(false);
        return new GptGenerator(group, model, parts, context);
    }

    /// <summary>The GPT <paramref name="checkpoint"/> holds.</summary>
    /// <exception cref="ArgumentException">It holds another kind of model.</exception>
    public static GptModelSpec ModelOf(Checkpoint checkpoint) => checkpoint.Metadata.ModelSpec as GptModelSpec
        ?? throw new ArgumentException($"{checkpoint.Directory} holds a {checkpoint.Metadata.ModelSpec.Kind} ({checkpoint.Metadata.ModelSpec.Summary}); sample needs a GPT checkpoint (train --model gpt).");

    /// <summary>Refuses to condition <paramref name="model"/> on <paramref name="context"/> tokens unless 1 ≤ context ≤ its own.</summary>
    /// <exception cref="ArgumentException">The context is out of range, named as <c>--context</c>.</exception>
    public static void RequireContext(GptModelSpec model, int context)
    {
        if (context < 1 || context > model.Context)
            throw new ArgumentException($"--context {context}: the checkpoint's GPT was trained on a context of {model.Context} tokens; give 1 to {model.Context}.");
    }

    /// <summary>Starts a new sequence from <paramref name="prompt"/> (its last tokens that fit) and returns the logits of the token after it.</summary>
    public Task<float[]> Prompt(IReadOnlyList<int> prompt)
    {
        if (prompt.Count == 0) throw new ArgumentException("The prompt has no tokens.");
        _window.Clear();
        return Decode(prompt.Skip(Math.Max(0, prompt.Count - _context)).ToList(), restart: true);
    }

    /// <summary>Appends <paramref name="token"/> and returns the logits of the token after it.</summary>
    public Task<float[]> Next(int token)
    {
        if (_window.Count < _context) return Decode([token], restart: false);
        // The context is full: keep its last half and decode it again from position 0.
        var kept = _window.Skip(_window.Count - _context / 2).Append(token).ToList();
        _window.Clear();
        return Decode(kept, restart: true);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _group.RunOnEachRank(rank =>
        {
            _parts[rank.Rank]?.Dispose();
            return 0;
        }).ConfigureAwait(false);
    }

    // Every rank decodes `tokens` after what its caches hold; the logits of the last are gathered on every rank.
    private async Task<float[]> Decode(IReadOnlyList<int> tokens, bool restart)
    {
        int position = restart ? 0 : _window.Count;
        int[] ids = [.. tokens];
        var logits = await _group.RunOnEachRank(rank =>
        {
            var part = _parts[rank.Rank];
            if (restart) foreach (var cache in part.Caches) cache.Clear();
            using var last = part.Gpt.Decode(ids, position, part.Caches);
            return rank.Rank == 0 ? last.ToArray() : []; // every rank holds the same logits: one copy travels
        }).ConfigureAwait(false);
        _window.AddRange(ids);
        return logits[0];
    }

    // A rank's model and its caches.
    private sealed record RankPart(ParallelGpt Gpt, IReadOnlyList<KvCache> Caches) : IDisposable
    {
        public void Dispose()
        {
            foreach (var cache in Caches) cache.Dispose();
            Gpt.Dispose();
        }
    }
}
