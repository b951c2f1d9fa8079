namespace TpActors.Runtime.Actors;

/// <summary>The stash of one actor: a list of envelopes that UnstashAll puts back in front of the mailbox. Kept across restarts: a restart unstashes everything, so no message is lost.</summary>
internal sealed class ActorStash(ActorCell cell) : IStash
{
    private readonly List<Envelope> _stashed = [];

    public int Count => _stashed.Count;

    public void Stash()
    {
        var current = cell.CurrentEnvelope ?? throw new InvalidOperationException("Stash can only be called while the actor handles a message.");
        if (_stashed.Count > 0 && ReferenceEquals(_stashed[^1].Message, current.Message) && Equals(_stashed[^1].Sender, current.Sender))
            throw new InvalidOperationException($"The message {current.Message.GetType().Name} was stashed twice; a message can be stashed once.");
        _stashed.Add(current);
    }

    public void Unstash()
    {
        if (_stashed.Count == 0) return;
        var first = _stashed[0];
        _stashed.RemoveAt(0);
        cell.Mailbox.Prepend([first]);
    }

    public void UnstashAll()
    {
        if (_stashed.Count == 0) return;
        cell.Mailbox.Prepend(_stashed.ToArray());
        _stashed.Clear();
    }
}
