using System.Collections.Concurrent;
using TpActors.Runtime.Configuration;

namespace TpActors.Runtime.Actors;

/// <summary>Finds the mailbox kind a <see cref="Props"/> names: each config path is read and checked once.</summary>
internal sealed class Mailboxes(Config config)
{
    private readonly ConcurrentDictionary<string, MailboxSettings> _byId = new(StringComparer.Ordinal);

    /// <summary>A new, empty mailbox of the kind configured at <paramref name="id"/>.</summary>
    public Mailbox Create(string id) => new(_byId.GetOrAdd(id, path => MailboxSettings.Read(config, path)).CreateQueue());
}
