namespace TpActors.Runtime.Actors;

/// <summary>
/// The address of an actor in the supervision tree: <c>tpactors://{system}/{element}/…</c>, e.g.
/// <c>tpactors://sys/user/ranks/rank-0</c>. Immutable; equal when the strings are equal.
/// </summary>
public sealed class ActorPath : IEquatable<ActorPath>
{
    /// <summary>The scheme every local path starts with.</summary>
    public const string Scheme = "tpactors";

    private readonly string _text;

    private ActorPath(string system, ActorPath? parent, string name, IReadOnlyList<string> elements)
    {
        System = system;
        Parent = parent;
        Name = name;
        Elements = elements;
        _text = $"{Scheme}://{system}/{string.Join('/', elements)}";
    }

    /// <summary>The actor system's name.</summary>
    public string System { get; }

    /// <summary>The path one level up; null for the root.</summary>
    public ActorPath? Parent { get; }

    /// <summary>The last element (the actor's name); empty for the root.</summary>
    public string Name { get; }

    /// <summary>The elements below the root, e.g. <c>["user", "ranks", "rank-0"]</c>.</summary>
    public IReadOnlyList<string> Elements { get; }

    /// <summary>The root path of a system: <c>tpactors://{system}/</c>.</summary>
    public static ActorPath Root(string system) => new(system, null, "", []);

    /// <summary>The path of a child named <paramref name="name"/>.</summary>
    public ActorPath Child(string name) => new(System, this, name, [.. Elements, name]);

    /// <summary>Parses <c>tpactors://system/a/b</c>.</summary>
    /// <exception cref="FormatException">The text is not an absolute actor path.</exception>
    public static ActorPath Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        const string prefix = Scheme + "://";
        if (!text.StartsWith(prefix, StringComparison.Ordinal))
            throw new FormatException($"'{text}' is not an actor path: it must start with '{prefix}' (e.g. {prefix}sys/user/worker).");
        var parts = text[prefix.Length..].Split('/');
        if (parts[0].Length == 0) throw new FormatException($"'{text}' is not an actor path: the system name after '{prefix}' is empty.");
        var path = Root(parts[0]);
        foreach (var element in parts.Skip(1).Where(p => p.Length > 0)) path = path.Child(element);
        return path;
    }

    /// <inheritdoc/>
    public bool Equals(ActorPath? other) => other is not null && string.Equals(_text, other._text, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ActorPath other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_text);

    /// <summary>The full path, e.g. <c>tpactors://sys/user/worker</c>.</summary>
    public override string ToString() => _text;
}
