namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>
/// Parses HOCON (and JSON, its subset) into an unresolved tree (HOCON.md, "Syntax"): root braces may be
/// omitted; ':' '=' '+=' separate keys from values, and the separator may be left out before '{';
/// a newline ends a field like a comma does; dotted keys expand to nested objects; repeated keys
/// merge; include statements splice in other files. Substitutions are kept for <see cref="HoconResolver"/>.
/// </summary>
internal sealed partial class HoconParser
{
    private readonly List<HoconToken> _tokens;
    private readonly string _source;
    private readonly HoconIncluder? _includer;
    private readonly string? _filePath;
    private int _next;

    // How deep objects and lists are nested at the current token, counting the include points above this document.
    private int _depth;

    private HoconParser(string text, string source, HoconIncluder? includer, string? filePath, int depth = 0)
    {
        _depth = depth;
        _tokens = new HoconLexer(text, source).TokenizeAll();
        _source = source;
        _includer = includer;
        _filePath = filePath;
    }

    /// <summary>Parses a whole document, which must be an object.</summary>
    /// <param name="text">The document.</param>
    /// <param name="source">The name used in origins and errors.</param>
    /// <param name="includer">Resolves include statements; null makes includes an error.</param>
    /// <param name="filePath">The file the text came from, against which relative includes are located.</param>
    /// <param name="depth">The nesting depth of the include point this document is parsed for.</param>
    public static HoconObjectNode ParseDocument(string text, string source, HoconIncluder? includer = null, string? filePath = null, int depth = 0) =>
        new HoconParser(text, source, includer, filePath, depth).ParseRoot();

    /// <summary>Parses a single value such as the right-hand side of a <c>-D key=value</c> override.</summary>
    public static HoconNode ParseSingleValue(string text, string source)
    {
        var parser = new HoconParser(text, source, null, null);
        parser.SkipWhitespace();
        var value = parser.ParseValue(HoconPath.Empty) ?? throw parser.Expected("a value");
        parser.SkipWhitespace();
        if (parser.Peek().Kind != HoconTokenKind.EndOfFile) throw parser.Expected("end of the value");
        return value;
    }

    private HoconToken Peek() => _tokens[_next];

    private HoconToken Take() => _tokens[_next++];

    // The text of the next token, whitespace counting as nothing.
    private string TakeText()
    {
        var t = Take();
        return t.Kind == HoconTokenKind.Whitespace ? "" : t.Text;
    }

    private void SkipWhitespace()
    {
        while (Peek().Kind == HoconTokenKind.Whitespace) _next++;
    }

    private void SkipWhitespaceAndNewlines()
    {
        while (Peek().Kind is HoconTokenKind.Whitespace or HoconTokenKind.Newline) _next++;
    }

    private ConfigParseException Expected(string what) =>
        new(Peek().Origin, $"expected {what}, found {Peek().Describe()}");

    private HoconObjectNode ParseRoot()
    {
        SkipWhitespaceAndNewlines();
        var first = Peek();
        if (first.Kind == HoconTokenKind.OpenBracket)
            throw new ConfigParseException(first.Origin, "a configuration document must be an object, but this one is a list (starts with '[')");
        if (first.Kind != HoconTokenKind.OpenBrace)
            return ParseObjectBody(braced: null, HoconPath.Empty, new ConfigOrigin(_source, 1, 1));

        var root = ParseObjectBody(Take(), HoconPath.Empty, first.Origin);
        SkipWhitespaceAndNewlines();
        if (Peek().Kind != HoconTokenKind.EndOfFile)
            throw Expected("end of file after the '}' that closes the root object");
        return root;
    }

    // Fields of one object. `braced` is the '{' token, or null for a root object without braces.
    private HoconObjectNode ParseObjectBody(HoconToken? braced, HoconPath path, ConfigOrigin origin)
    {
        var fields = new OrderedDictionary<string, HoconNode>(StringComparer.Ordinal);
        bool afterField = false;
        while (true)
        {
            var t = NextElement(ref afterField, "a key", "field");
            switch (t.Kind)
            {
                case HoconTokenKind.CloseBrace:
                    if (braced is null)
                        throw new ConfigParseException(t.Origin, "unbalanced '}': there is no '{' for it to close");
                    Take();
                    return new HoconObjectNode(fields, origin);
                case HoconTokenKind.EndOfFile:
                    if (braced is not null)
                        throw new ConfigParseException(t.Origin, $"expected '}}' to close the object opened at {braced.Origin.Line}:{braced.Origin.Column}, found end of file");
                    return new HoconObjectNode(fields, origin);
            }
            if (afterField)
                throw new ConfigParseException(t.Origin, $"expected ',' or a newline after the previous field, found {t.Describe()}");

            if (t is { Kind: HoconTokenKind.UnquotedText, Text: "include" }) ParseInclude(fields, path);
            else ParseField(fields, path);
            afterField = true;
        }
    }

    // Skips the separators between the fields of an object or the elements of a list and returns the
    // token after them. Rules: an element must be followed by ',' or a newline before the next one; a
    // comma may come after newlines; a comma before the first element or right after another comma is
    // an error; a comma before the closing bracket is allowed. `afterElement` is true while the last
    // thing read was an element with no separator after it yet.
    private HoconToken NextElement(ref bool afterElement, string expected, string element)
    {
        bool separated = false;
        while (true)
        {
            SkipWhitespace();
            var t = Peek();
            if (t.Kind == HoconTokenKind.Newline)
            {
                Take();
                separated = true;
                continue;
            }
            if (t.Kind != HoconTokenKind.Comma) break;
            if (!afterElement)
                throw new ConfigParseException(t.Origin, $"expected {expected}, found ','; a comma must follow a {element} (no leading or doubled commas)");
            Take();
            afterElement = false;
        }
        if (separated) afterElement = false;
        return Peek();
    }

    private void ParseField(OrderedDictionary<string, HoconNode> fields, HoconPath path)
    {
        var keyStart = Peek();
        var keyTokens = new List<HoconToken>();
        while (Peek().Kind is HoconTokenKind.UnquotedText or HoconTokenKind.QuotedString or HoconTokenKind.Number
               or HoconTokenKind.Boolean or HoconTokenKind.Null or HoconTokenKind.Whitespace)
            keyTokens.Add(Take());
        if (keyTokens.Count == 0)
        {
            if (Peek().Kind == HoconTokenKind.Substitution)
                throw new ConfigParseException(Peek().Origin, "substitutions are not allowed in keys");
            throw Expected("a key");
        }
        var key = HoconPathBuilder.FromTokens(keyTokens, keyStart.Origin);

        SkipWhitespaceAndNewlines();
        var separator = Peek();
        switch (separator.Kind)
        {
            case HoconTokenKind.Colon or HoconTokenKind.Equals or HoconTokenKind.PlusEquals:
                Take();
                SkipWhitespaceAndNewlines();
                break;
            case HoconTokenKind.OpenBrace:
                break;
            case HoconTokenKind.Substitution:
                throw new ConfigParseException(separator.Origin, "substitutions are not allowed in keys");
            default:
                throw new ConfigParseException(separator.Origin, $"expected ':', '=', '+=' or '{{' after key '{key}', found {separator.Describe()}");
        }

        // A dotted key opens one object per key but the last, as braces would: they count toward the nesting limit.
        int opened = key.Length - 1;
        if (_depth + opened > HoconParseOptions.MaxNestingDepth)
            throw new ConfigParseException(keyStart.Origin, $"objects and lists are nested more than {HoconParseOptions.MaxNestingDepth} deep here (counting the {key.Length} keys of this path)");
        var fieldPath = path.Append(key);
        _depth += opened;
        HoconNode value;
        try
        {
            value = ParseValue(fieldPath) ?? throw Expected($"a value for key '{key}'");
        }
        finally
        {
            _depth -= opened;
        }
        if (separator.Kind == HoconTokenKind.PlusEquals)
        {
            // a += b is a = ${?a} [b]: the self-reference reads the value set before this field.
            var previous = new HoconSubstitutionNode(fieldPath, optional: true, prefixLength: 0, separator.Origin);
            value = new HoconConcatenationNode([previous, new HoconListNode([value], value.Origin)], value.Origin);
        }
        SetField(fields, key, value, keyStart.Origin);
    }

    private static void SetField(OrderedDictionary<string, HoconNode> fields, HoconPath key, HoconNode value, ConfigOrigin keyOrigin)
    {
        for (int i = key.Length - 1; i >= 1; i--)
        {
            var nested = new OrderedDictionary<string, HoconNode>(StringComparer.Ordinal) { [key[i]] = value };
            value = new HoconObjectNode(nested, keyOrigin);
        }
        fields[key.First] = fields.TryGetValue(key.First, out var earlier) ? HoconMerger.Merge(value, earlier) : value;
    }

    // A value is a concatenation of simple values, objects, lists and substitutions on one line.
    // Returns null when no value starts here.
    private HoconNode? ParseValue(HoconPath path)
    {
        var parts = new List<HoconNode>();
        HoconToken? pendingSpace = null;
        while (true)
        {
            var t = Peek();
            switch (t.Kind)
            {
                case HoconTokenKind.Whitespace:
                    Take();
                    if (parts.Count > 0) pendingSpace = t;
                    continue;
                case HoconTokenKind.QuotedString or HoconTokenKind.UnquotedText or HoconTokenKind.Number or HoconTokenKind.Boolean
                    or HoconTokenKind.Null or HoconTokenKind.Substitution or HoconTokenKind.OpenBrace or HoconTokenKind.OpenBracket:
                    if (pendingSpace is not null)
                    {
                        parts.Add(new HoconStringNode(pendingSpace.Text, pendingSpace.Origin, isSeparator: true));
                        pendingSpace = null;
                    }
                    parts.Add(ParseSimpleValue(path));
                    continue;
                case HoconTokenKind.Colon or HoconTokenKind.Equals or HoconTokenKind.PlusEquals:
                    if (parts.Count == 0) return null;
                    throw new ConfigParseException(t.Origin, $"unexpected {t.Describe()} in a value; quote the string if it contains '{t.Text}'");
            }
            break;
        }
        if (parts.Count <= 1) return parts.Count == 0 ? null : parts[0];

        // Inside a concatenation a literal null is the text "null"; only a substituted null becomes "".
        for (int i = 0; i < parts.Count; i++)
            if (parts[i] is HoconNullNode) parts[i] = new HoconStringNode("null", parts[i].Origin);
        if (parts.Any(p => p is HoconSubstitutionNode)) return new HoconConcatenationNode(parts, parts[0].Origin);
        return HoconConcatenator.Join(parts, parts[0].Origin, (o, m) => new ConfigParseException(o, m));
    }

    private HoconNode ParseSimpleValue(HoconPath path)
    {
        var t = Take();
        return t.Kind switch
        {
            HoconTokenKind.QuotedString or HoconTokenKind.UnquotedText => new HoconStringNode(t.Text, t.Origin),
            HoconTokenKind.Number => t.Number!,
            HoconTokenKind.Boolean => new HoconBooleanNode(t.Text == "true", t.Origin),
            HoconTokenKind.Null => new HoconNullNode(t.Origin),
            HoconTokenKind.Substitution => new HoconSubstitutionNode(t.SubstitutionPath!, t.OptionalSubstitution, 0, t.Origin),
            HoconTokenKind.OpenBrace => Nested(t, () => ParseObjectBody(t, path, t.Origin)),
            HoconTokenKind.OpenBracket => Nested(t, () => ParseList(t, path)),
            _ => throw new ConfigParseException(t.Origin, $"expected a value, found {t.Describe()}"),
        };
    }

    private T Nested<T>(HoconToken open, Func<T> parse)
    {
        if (++_depth > HoconParseOptions.MaxNestingDepth)
            throw new ConfigParseException(open.Origin, $"objects and lists are nested more than {HoconParseOptions.MaxNestingDepth} deep here");
        try
        {
            return parse();
        }
        finally
        {
            _depth--;
        }
    }

    private HoconListNode ParseList(HoconToken open, HoconPath path)
    {
        var items = new List<HoconNode>();
        bool afterElement = false;
        while (true)
        {
            var t = NextElement(ref afterElement, "a list element or ']'", "list element");
            switch (t.Kind)
            {
                case HoconTokenKind.CloseBracket:
                    Take();
                    return new HoconListNode(items, open.Origin);
                case HoconTokenKind.EndOfFile:
                    throw new ConfigParseException(t.Origin, $"expected ']' to close the list opened at {open.Origin.Line}:{open.Origin.Column}, found end of file");
            }
            if (afterElement)
                throw new ConfigParseException(t.Origin, $"expected ',', a newline or ']' after a list element, found {t.Describe()}");
            items.Add(ParseValue(path) ?? throw Expected("a list element or ']'"));
            afterElement = true;
        }
    }
}
