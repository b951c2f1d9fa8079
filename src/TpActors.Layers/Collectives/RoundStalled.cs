namespace TpActors.Layers.Collectives;

/// <summary>
/// Sent by a rank to every peer when its round passed its timeout: which rank it was waiting for and at which step.
/// From the reports the ranks work out who did not answer: a rank that was waited for and sent no report of its own.
/// </summary>
/// <param name="Round">The stalled round.</param>
/// <param name="Reporter">The rank that timed out.</param>
/// <param name="WaitingFor">The rank whose message it was waiting for.</param>
/// <param name="Step">The step of the missing message.</param>
/// <param name="Index">The chunk index of the missing message.</param>
public sealed record RoundStalled(RoundId Round, int Reporter, int WaitingFor, int Step, int Index);
