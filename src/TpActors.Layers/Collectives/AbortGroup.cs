namespace TpActors.Layers.Collectives;

/// <summary>
/// Posted to a rank's collective endpoint to abandon every round of <paramref name="Group"/>: a round the rank is waiting in
/// fails at once with <see cref="CollectiveAbortedException"/>, later rounds of the group fail as they start, and messages of
/// the group, pending or still to come, are dropped. Sent by a supervisor that gave up on the group's current step.
/// </summary>
/// <param name="Group">The group whose rounds are abandoned (a group name is never reused after an abort).</param>
/// <param name="Reason">Why, for the exception's message.</param>
public sealed record AbortGroup(string Group, string Reason);
