using System.Collections.Concurrent;
using TpActors.Runtime.Configuration;

namespace TpActors.Layers.Models;

/// <summary>
/// The kinds of model a run can train, each a <see cref="ModelSpec"/> record registered under its kind: how a checkpoint's
/// or a message's model is read back. The residual MLP stack is registered from the start.
/// </summary>
public static class ModelKinds
{
    private static readonly ConcurrentDictionary<string, Type> Kinds = new(StringComparer.Ordinal)
    {
        [MlpStackSpec.KindName] = typeof(MlpStackSpec),
        [GptModelSpec.KindName] = typeof(GptModelSpec),
    };

    /// <summary>The model a run trains by default, as <c>tpactors.training</c> in <paramref name="config"/> describes it (<c>model</c> picks the kind).</summary>
    public static ModelSpec FromConfig(HoconConfig config) => FromConfig(config, config.GetString("tpactors.training.model"));

    /// <summary>The model of kind <paramref name="kind"/> as <paramref name="config"/> sizes it (a GPT's char vocabulary is still to be read from its text).</summary>
    /// <exception cref="ArgumentException">No model of that kind can be trained from the command line.</exception>
    public static ModelSpec FromConfig(HoconConfig config, string kind) => kind switch
    {
        MlpStackSpec.KindName => MlpStackSpec.FromConfig(config),
        GptModelSpec.KindName => GptModelSpec.FromConfig(config),
        _ => throw new ArgumentException($"The model is '{kind}'; train takes {MlpStackSpec.KindName} or {GptModelSpec.KindName}."),
    };

    /// <summary>Registers <typeparamref name="TSpec"/> under <paramref name="kind"/>; registering the same again is harmless.</summary>
    /// <exception cref="ArgumentException">Another spec has that kind.</exception>
    public static void Register<TSpec>(string kind) where TSpec : ModelSpec
    {
        var type = Kinds.GetOrAdd(kind, typeof(TSpec));
        if (type != typeof(TSpec)) throw new ArgumentException($"The model kind '{kind}' is {type.Name}'s already.", nameof(kind));
    }

    /// <summary>The spec type of <paramref name="kind"/>.</summary>
    /// <exception cref="ArgumentException">No model of that kind is registered.</exception>
    public static Type TypeOf(string kind) => Kinds.TryGetValue(kind, out var type) ? type
        : throw new ArgumentException($"the model kind is '{kind}'; this TpActors trains {string.Join(", ", Kinds.Keys.Order())}");

    /// <summary>Every registered spec type.</summary>
    public static IReadOnlyCollection<Type> Types => [.. Kinds.Values];

    /// <summary>Every registered kind and its spec type.</summary>
    public static IReadOnlyDictionary<string, Type> Registered => new Dictionary<string, Type>(Kinds, StringComparer.Ordinal);

    /// <summary>How many kinds are registered (a registration raises it).</summary>
    public static int Count => Kinds.Count;
}
