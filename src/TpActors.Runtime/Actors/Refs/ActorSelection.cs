namespace TpActors.Runtime.Actors;

/// <summary>
/// Actors picked by a path, resolved each time it is used (so it sees actors started later): <c>/user/ranks/rank-0</c>,
/// <c>tpactors://sys/user/ranks/*</c>, or relative to an actor: <c>../rank-1</c>. <c>*</c> and <c>?</c> match within one element.
/// </summary>
public sealed class ActorSelection
{
    private readonly ActorSystem _system;
    private readonly ActorCell _anchor;
    private readonly string[] _elements;

    private ActorSelection(ActorSystem system, ActorCell anchor, string[] elements, string text)
    {
        _system = system;
        _anchor = anchor;
        _elements = elements;
        PathString = text;
    }

    /// <summary>The path as given.</summary>
    public string PathString { get; }

    internal static ActorSelection Create(ActorSystem system, ActorCell relativeTo, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.StartsWith(ActorPath.Scheme + "://", StringComparison.Ordinal))
        {
            var absolute = ActorPath.Parse(path);
            if (absolute.System != system.Name)
                throw new ArgumentException($"'{path}' belongs to another actor system; this one is {ActorPath.Root(system.Name)}.", nameof(path));
            return new ActorSelection(system, system.RootCell, [.. absolute.Elements], path);
        }
        var anchor = path.StartsWith('/') ? system.RootCell : relativeTo;
        return new ActorSelection(system, anchor, path.Split('/', StringSplitOptions.RemoveEmptyEntries), path);
    }

    /// <summary>Sends <paramref name="message"/> to every actor the path matches now; to dead letters when it matches none.</summary>
    public void Tell(object message, IActorRef? sender = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        var targets = Resolve();
        if (targets.Count == 0) _system.DeadLetterRef.Publish(message, sender, _system.DeadLetters);
        foreach (var target in targets) target.Tell(message, sender);
    }

    /// <summary>The one actor the path names now; fails with <see cref="ActorNotFoundException"/> when there is none.</summary>
    public Task<IActorRef> ResolveOne()
    {
        var targets = Resolve();
        return targets.Count > 0
            ? Task.FromResult<IActorRef>(targets[0])
            : Task.FromException<IActorRef>(new ActorNotFoundException($"No actor at '{PathString}' (looked up from {_anchor.Self.Path})."));
    }

    /// <summary>Every actor the path matches now.</summary>
    public IReadOnlyList<IActorRef> Resolve()
    {
        var current = new List<ActorCell> { _anchor };
        foreach (var element in _elements)
        {
            var next = new List<ActorCell>();
            foreach (var cell in current)
            {
                if (element == "..")
                {
                    if (cell.ParentRef is LocalActorRef parent) next.Add(parent.Cell);
                }
                else if (element == ".") next.Add(cell);
                else if (element.AsSpan().IndexOfAny('*', '?') >= 0)
                    next.AddRange(cell.ChildrenSnapshot().Where(c => Glob.Matches(element, c.Path.Name)).Select(c => c.Cell));
                else if (cell.TryGetChild(element) is { } child) next.Add(child.Cell);
            }
            current = next;
        }
        return current.Where(c => !c.Mailbox.IsClosed).Select(c => c.Self).ToArray();
    }

    /// <summary>The selection's path.</summary>
    public override string ToString() => $"ActorSelection({PathString})";

    private static class Glob
    {
        public static bool Matches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
        {
            if (pattern.IsEmpty) return text.IsEmpty;
            return pattern[0] switch
            {
                '*' => Matches(pattern[1..], text) || (!text.IsEmpty && Matches(pattern, text[1..])),
                '?' => !text.IsEmpty && Matches(pattern[1..], text[1..]),
                var c => !text.IsEmpty && text[0] == c && Matches(pattern[1..], text[1..]),
            };
        }
    }
}
