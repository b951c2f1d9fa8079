namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>
/// Replaces every substitution in a parsed tree with the value it names (HOCON.md, "Substitutions").
/// </summary>
/// <remarks>
/// <para>Lookups are lazy and start at the root: <c>${bar.foo}</c> resolves only <c>bar.foo</c>, not all of
/// <c>bar</c>, so an object may refer to its own fields. Each node is resolved once and cached; a node met
/// again while it is being resolved is a cycle, reported with the chain of substitutions.</para>
/// <para>Self-reference: a substitution in a field's value whose path is the field's own path, or lies below
/// it, reads the value the field had before this definition (the <see cref="HoconMergeStack.Below"/> of its
/// layer), so <c>path = ${path}":/opt"</c> and <c>list += 3</c> extend earlier values instead of looping.</para>
/// <para>An indirect self-reference (<c>foo = ${bar} {…}</c> with <c>bar = ${foo}</c>) is a cycle met while a
/// stack's top layer is being evaluated; it is broken by looking backward: the lookup gets the value below
/// that layer. A cycle that looking backward cannot break is an error, except that an optional substitution
/// that meets one is simply undefined.</para>
/// <para>A substitution that came from an included file is first looked up with the include point's prefix,
/// then without it, then (if enabled) as an environment variable. A missing optional substitution leaves
/// its field undefined; a missing required one is an error at the substitution's position.</para>
/// </remarks>
internal sealed class HoconResolver
{
    private readonly HoconObjectNode _root;
    private readonly bool _useEnvironment;

    // Resolved value of each node, by identity; null means "undefined" (an unset optional substitution).
    private readonly Dictionary<HoconNode, HoconNode?> _resolved = new(ReferenceEqualityComparer.Instance);

    // Value of the top layer of each merge stack, evaluated against the layers below it.
    private readonly Dictionary<HoconMergeStack, HoconNode?> _layerValues = new(ReferenceEqualityComparer.Instance);

    // The child node under a key of each merge stack, built once so that its identity (and cache entry) is stable.
    private readonly Dictionary<HoconMergeStack, Dictionary<string, HoconNode?>> _children = new(ReferenceEqualityComparer.Instance);

    // Nodes (or stack layers) being resolved right now: meeting one of them again is a cycle.
    private readonly HashSet<object> _inProgress = [];

    // Substitutions being looked up, innermost last, to describe a cycle.
    private readonly List<HoconSubstitutionNode> _lookups = [];

    private sealed record LayerKey(HoconMergeStack Stack);

    private HoconResolver(HoconObjectNode root, bool useEnvironment)
    {
        _root = root;
        _useEnvironment = useEnvironment;
    }

    /// <summary>Resolves every substitution under <paramref name="root"/>, which is itself the root that paths start from.</summary>
    public static HoconObjectNode Resolve(HoconObjectNode root, bool useEnvironment) =>
        root.IsResolved ? root : (HoconObjectNode)new HoconResolver(root, useEnvironment).ResolveNode(root, HoconPath.Empty)!;

    /// <summary>Resolves only what the value at <paramref name="path"/> needs; null when it is not set.</summary>
    public static HoconNode? ResolvePath(HoconObjectNode root, HoconPath path, bool useEnvironment) =>
        new HoconResolver(root, useEnvironment).Lookup(path);

    private HoconNode? ResolveNode(HoconNode node, HoconPath path)
    {
        if (node.IsResolved) return node;
        // Reached again while its own top layer is being evaluated: look back to the value below that layer.
        if (node is HoconMergeStack evaluating && _inProgress.Contains(new LayerKey(evaluating)))
            return ResolveNode(evaluating.Below, path);
        if (_resolved.TryGetValue(node, out var done)) return done;
        Enter(node, path);
        HoconNode? result;
        try
        {
            result = node switch
            {
                HoconObjectNode o => ResolveObject(o, path),
                HoconListNode l => ResolveList(l, path),
                HoconMergeStack s => ResolveStack(s, path),
                _ => Evaluate(node, path, below: null, isFieldValue: true),
            };
        }
        finally
        {
            _inProgress.Remove(node);
        }
        _resolved[node] = result;
        return result;
    }

    private void Enter(object key, HoconPath path)
    {
        if (_inProgress.Add(key)) return;
        var closing = _lookups.Count > 0 ? _lookups[^1] : null;
        string chain = string.Join(" -> ", _lookups.Select(s => $"{s} ({s.Origin.Line}:{s.Origin.Column})"));
        throw new ConfigResolveException(closing?.Origin ?? ConfigOrigin.Code,
            $"cycle in substitutions: '{path}' depends on itself through {chain}")
        {
            IsCycle = true,
        };
    }

    private HoconObjectNode ResolveObject(HoconObjectNode obj, HoconPath path)
    {
        var fields = new OrderedDictionary<string, HoconNode>(StringComparer.Ordinal);
        foreach (var (key, value) in obj.Fields)
        {
            var resolved = ResolveNode(value, path.Append(key));
            if (resolved is not null) fields[key] = resolved;
        }
        return new HoconObjectNode(fields, obj.Origin);
    }

    // List elements are not fields: a substitution in one is never self-referential, and an undefined one is dropped.
    private HoconListNode ResolveList(HoconListNode list, HoconPath path)
    {
        var items = new List<HoconNode>(list.Items.Count);
        foreach (var item in list.Items)
        {
            var resolved = item is HoconSubstitutionNode or HoconConcatenationNode
                ? Evaluate(item, path, below: null, isFieldValue: false)
                : ResolveNode(item, path);
            if (resolved is not null) items.Add(resolved);
        }
        return new HoconListNode(items, list.Origin);
    }

    private HoconNode? ResolveStack(HoconMergeStack stack, HoconPath path)
    {
        var top = LayerValue(stack, path);
        if (top is null) return ResolveNode(stack.Below, path);
        if (top is not HoconObjectNode) return top;

        var layers = ObjectLayers(stack, path);
        var keys = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = layers.Count - 1; i >= 0; i--)
            foreach (var key in layers[i].Keys)
                if (seen.Add(key)) keys.Add(key);

        var fields = new OrderedDictionary<string, HoconNode>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var resolved = ResolveNode(ChildOf(stack, key, path)!, path.Append(key));
            if (resolved is not null) fields[key] = resolved;
        }
        return new HoconObjectNode(fields, top.Origin);
    }

    // The value of a stack's top layer: an object literal as it is (only its kind matters here),
    // a substitution or concatenation evaluated with the layers below as its self-reference.
    private HoconNode? LayerValue(HoconMergeStack stack, HoconPath path)
    {
        switch (stack.Top)
        {
            case HoconObjectNode or HoconScalarNode:
                return stack.Top;
            case HoconListNode list:
                return ResolveNode(list, path);
        }
        if (_layerValues.TryGetValue(stack, out var value)) return value;
        var key = new LayerKey(stack);
        Enter(key, path);
        try
        {
            value = Evaluate(stack.Top, path, stack.Below, isFieldValue: true);
        }
        finally
        {
            _inProgress.Remove(key);
        }
        _layerValues[stack] = value;
        return value;
    }

    // The object layers of a node from the top down, stopping at the first non-object (which hides the rest).
    private List<HoconObjectNode> ObjectLayers(HoconNode node, HoconPath path)
    {
        var layers = new List<HoconObjectNode>();
        while (true)
        {
            HoconNode? layer;
            HoconNode? next = null;
            if (node is HoconMergeStack stack)
            {
                layer = LayerValue(stack, path);
                next = stack.Below;
            }
            else
            {
                layer = node is HoconObjectNode ? node : ResolveNode(node, path);
            }
            if (layer is HoconObjectNode obj) layers.Add(obj);
            else if (layer is not null) return layers;
            if (next is null) return layers;
            node = next;
        }
    }

    // The node under `key` without resolving the parent as a whole, so that an object can refer to its own fields.
    private HoconNode? ChildOf(HoconNode node, string key, HoconPath path)
    {
        switch (node)
        {
            case HoconObjectNode obj:
                return obj.Get(key);
            case HoconMergeStack stack:
                // Looking back, as in ResolveNode; not memoized, since it is not the stack's own child.
                if (_inProgress.Contains(new LayerKey(stack))) return ChildOf(stack.Below, key, path);
                if (!_children.TryGetValue(stack, out var byKey)) _children[stack] = byKey = new(StringComparer.Ordinal);
                if (byKey.TryGetValue(key, out var child)) return child;
                var parts = ObjectLayers(stack, path).Select(l => l.Get(key)).OfType<HoconNode>().ToList();
                child = parts.Count == 0 ? null : parts[^1];
                for (int i = parts.Count - 2; i >= 0; i--) child = HoconMerger.Merge(parts[i], child!);
                byKey[key] = child;
                return child;
            case HoconSubstitutionNode or HoconConcatenationNode:
                return ResolveNode(node, path) is HoconObjectNode resolved ? resolved.Get(key) : null;
            default:
                return null;
        }
    }

    private HoconNode? Evaluate(HoconNode value, HoconPath path, HoconNode? below, bool isFieldValue)
    {
        switch (value)
        {
            case HoconSubstitutionNode substitution:
                return Substitute(substitution, path, below, isFieldValue);
            case HoconConcatenationNode concatenation:
                var parts = new List<HoconNode>(concatenation.Parts.Count);
                foreach (var part in concatenation.Parts)
                {
                    var resolved = part is HoconSubstitutionNode s ? Substitute(s, path, below, isFieldValue) : ResolveNode(part, path);
                    if (resolved is not null) parts.Add(resolved);
                }
                return HoconConcatenator.Join(parts, concatenation.Origin, (o, m) => new ConfigResolveException(o, m));
            default:
                return ResolveNode(value, path);
        }
    }

    private HoconNode? Substitute(HoconSubstitutionNode substitution, HoconPath path, HoconNode? below, bool isFieldValue)
    {
        if (_lookups.Count >= HoconParseOptions.MaxSubstitutionDepth)
            throw new ConfigResolveException(substitution.Origin,
                $"substitutions depend on each other more than {HoconParseOptions.MaxSubstitutionDepth} deep ({_lookups[0]} needs {_lookups[1]} needs … {substitution})");
        _lookups.Add(substitution);
        try
        {
            bool selfReference = isFieldValue && path.Length > 0 && substitution.Path.StartsWith(path);
            HoconNode? value;
            if (selfReference)
            {
                var earlier = below is null ? null : ResolveNode(below, path);
                value = substitution.Path.Skip(path.Length).FindIn(earlier);
            }
            else
            {
                try
                {
                    value = Lookup(substitution.Path);
                    var unprefixed = substitution.Path.Skip(substitution.PrefixLength);
                    if (value is null && substitution.PrefixLength > 0) value = Lookup(unprefixed);
                    if (value is null && _useEnvironment) value = FromEnvironment(unprefixed);
                }
                catch (ConfigResolveException e) when (e.IsCycle && substitution.Optional)
                {
                    value = null; // HOCON.md: a cycle counts as a missing value for ${?…}
                }
            }
            if (value is null && !substitution.Optional)
            {
                string why = selfReference
                    ? $"it refers to its own field '{path}', which has no earlier value to build on"
                    : $"there is no value at '{substitution.Path.Skip(substitution.PrefixLength)}'{(_useEnvironment ? " and no environment variable of that name" : "")}";
                throw new ConfigResolveException(substitution.Origin, $"cannot resolve substitution {substitution}: {why} (use ${{?…}} to make it optional)");
            }
            return value;
        }
        finally
        {
            _lookups.RemoveAt(_lookups.Count - 1);
        }
    }

    private HoconNode? Lookup(HoconPath target)
    {
        HoconNode? node = _root;
        var at = HoconPath.Empty;
        for (int i = 0; i < target.Length && node is not null; i++)
        {
            node = ChildOf(node, target[i], at);
            at = at.Append(target[i]);
        }
        return node is null ? null : ResolveNode(node, target);
    }

    // Set-but-empty variables count as absent (HOCON.md, "Substitution fallback to environment variables").
    private static HoconStringNode? FromEnvironment(HoconPath path)
    {
        string name = string.Join('.', path.Keys);
        string? value = Environment.GetEnvironmentVariable(name);
        return string.IsNullOrEmpty(value) ? null : new HoconStringNode(value, new ConfigOrigin($"environment variable {name}", 0, 0));
    }
}
