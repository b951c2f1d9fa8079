namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>Include statements (HOCON.md, "Include syntax"): the included object's fields are merged in where the statement stands.</summary>
internal sealed partial class HoconParser
{
    // include "f" | include file("f") | include required("f") | include required(file("f")).
    // '(' is not a reserved character, so "required(file(" arrives as unquoted text and is read back here.
    private void ParseInclude(OrderedDictionary<string, HoconNode> fields, HoconPath path)
    {
        var keyword = Take();
        SkipWhitespaceAndNewlines();
        string opener = "";
        while (Peek().Kind is HoconTokenKind.UnquotedText or HoconTokenKind.Whitespace)
            opener += TakeText();
        bool required = opener.StartsWith("required(", StringComparison.Ordinal);
        switch (opener)
        {
            case "" or "file(" or "required(" or "required(file(":
                break;
            case "url(" or "classpath(" or "required(url(" or "required(classpath(":
                throw new ConfigParseException(keyword.Origin, $"include {opener}…) is not supported; include a file by name or with file(\"…\")");
            default:
                throw new ConfigParseException(keyword.Origin, $"expected a quoted file name, file(\"…\") or required(\"…\") after 'include', found '{opener}'");
        }
        if (Peek().Kind != HoconTokenKind.QuotedString)
            throw Expected("a quoted file name after 'include' (e.g. include \"other.conf\")");
        string name = Take().Text;

        int open = opener.Count(c => c == '(');
        string closer = "";
        while (closer.Length < open && Peek().Kind is HoconTokenKind.UnquotedText or HoconTokenKind.Whitespace)
            closer += TakeText();
        if (closer != new string(')', open))
            throw new ConfigParseException(Peek().Origin, $"expected {new string(')', open)} to close include {opener}\"{name}\"");

        if (_includer is null)
            throw new ConfigParseException(keyword.Origin, "include statements are not allowed in this text (it is not read from a file)");
        var included = _includer.Include(name, required, keyword.Origin, _filePath, _depth);
        var relativized = (HoconObjectNode)included.Relativize(path);
        foreach (var (key, value) in relativized.Fields)
            fields[key] = fields.TryGetValue(key, out var earlier) ? HoconMerger.Merge(value, earlier) : value;
    }
}
