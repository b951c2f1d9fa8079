using System.Globalization;

namespace TpActors.Layers.Training;

/// <summary>One fault to inject: rank <paramref name="Rank"/> fails in <paramref name="Phase"/> of step <paramref name="Step"/>, once.</summary>
/// <param name="Rank">The rank that fails.</param>
/// <param name="Step">The step (from 1).</param>
/// <param name="Phase">The phase (batch, forward, loss, backward, optimizer, snapshot or checkpoint).</param>
/// <param name="Kind">How it fails.</param>
public sealed record FaultSpec(int Rank, long Step, TrainingPhase Phase, FaultKind Kind)
{
    /// <summary>The form <see cref="Parse"/> reads.</summary>
    public const string Syntax = "rank:step:phase[:throw|hang|stop|kill]";

    /// <summary>Reads "rank:step:phase[:kind]" (kind defaults to throw), e.g. "1:20:backward" or "0:5:optimizer:hang".</summary>
    /// <exception cref="ArgumentException">The text does not have that form; the message shows it and says which part is wrong.</exception>
    public static FaultSpec Parse(string text)
    {
        var parts = text.Split(':');
        if (parts.Length is < 3 or > 4) throw Bad(text, $"expected {Syntax}");
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int rank)) throw Bad(text, $"rank '{parts[0]}' is not a rank (a whole number from 0)");
        if (!long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long step) || step < 1) throw Bad(text, $"step '{parts[1]}' is not a number from 1");
        var phase = TrainingPhases.Injectable.FirstOrDefault(p => TrainingPhases.Name(p) == parts[2], (TrainingPhase)(-1));
        if (phase == (TrainingPhase)(-1))
            throw Bad(text, $"phase '{parts[2]}' is not one of {string.Join(", ", TrainingPhases.Injectable.Select(TrainingPhases.Name))}");
        var kind = parts.Length == 3 ? FaultKind.Throw : parts[3] switch
        {
            "throw" => FaultKind.Throw,
            "hang" => FaultKind.Hang,
            "stop" => FaultKind.Stop,
            "kill" => FaultKind.Kill,
            _ => throw Bad(text, $"kind '{parts[3]}' is not throw, hang, stop or kill"),
        };
        return new FaultSpec(rank, step, phase, kind);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Rank}:{Step}:{TrainingPhases.Name(Phase)}:{Kind.ToString().ToLowerInvariant()}";

    private static ArgumentException Bad(string text, string why) => new($"--fault '{text}': {why}.");
}
