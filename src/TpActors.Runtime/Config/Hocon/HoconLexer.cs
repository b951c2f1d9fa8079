using System.Text;

namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>
/// Turns HOCON text into tokens (HOCON.md, "Syntax"). Comments (<c>#</c>, <c>//</c>) are dropped; whitespace
/// and newlines are kept, because whitespace between values is part of a concatenation and newlines separate fields.
/// Every token records the line and column it starts at, so every parse error can name its position.
/// </summary>
internal sealed class HoconLexer(string text, string source)
{
    private const string NumberChars = "0123456789eE+-.";

    private readonly string _text = text;
    private readonly string _source = source;
    private int _pos;
    private int _line = 1;
    private int _column = 1;

    public List<HoconToken> TokenizeAll()
    {
        var tokens = new List<HoconToken>();
        HoconToken token;
        do
        {
            token = Next();
            tokens.Add(token);
        } while (token.Kind != HoconTokenKind.EndOfFile);
        return tokens;
    }

    private ConfigOrigin Here => new(_source, _line, _column);

    private char Peek(int ahead = 0) => _pos + ahead < _text.Length ? _text[_pos + ahead] : '\0';

    private bool AtEnd => _pos >= _text.Length;

    private void Advance()
    {
        if (_text[_pos] == '\n') { _line++; _column = 1; }
        else _column++;
        _pos++;
    }

    private bool StartsComment => Peek() == '#' || (Peek() == '/' && Peek(1) == '/');

    private HoconToken Next()
    {
        while (true)
        {
            if (AtEnd) return new HoconToken(HoconTokenKind.EndOfFile, "", Here);
            if (!StartsComment) break;
            while (!AtEnd && Peek() != '\n') Advance();
        }

        var start = Here;
        char c = Peek();
        if (c == '\n')
        {
            Advance();
            return new HoconToken(HoconTokenKind.Newline, "\n", start);
        }
        if (HoconStrings.IsWhitespace(c))
        {
            int from = _pos;
            while (!AtEnd && Peek() != '\n' && HoconStrings.IsWhitespace(Peek())) Advance();
            return new HoconToken(HoconTokenKind.Whitespace, _text[from.._pos], start);
        }
        switch (c)
        {
            case '{': return Single(HoconTokenKind.OpenBrace, start);
            case '}': return Single(HoconTokenKind.CloseBrace, start);
            case '[': return Single(HoconTokenKind.OpenBracket, start);
            case ']': return Single(HoconTokenKind.CloseBracket, start);
            case ',': return Single(HoconTokenKind.Comma, start);
            case ':': return Single(HoconTokenKind.Colon, start);
            case '=': return Single(HoconTokenKind.Equals, start);
            case '+':
                if (Peek(1) != '=')
                    throw new ConfigParseException(start, "'+' is only valid in '+='; quote the string if it contains '+'");
                Advance(); Advance();
                return new HoconToken(HoconTokenKind.PlusEquals, "+=", start);
            case '"':
                return Peek(1) == '"' && Peek(2) == '"' ? TripleQuoted(start) : Quoted(start);
            case '$':
                if (Peek(1) != '{')
                    throw new ConfigParseException(start, "'$' must start a substitution '${'; quote the string if it contains '$'");
                return Substitution(start);
        }
        if (c == '-' || char.IsAsciiDigit(c)) return NumberOrText(start);
        if (HoconStrings.IsForbiddenUnquoted(c))
            throw new ConfigParseException(start, $"reserved character '{c}' is not allowed outside quotes; quote the string if it contains '{c}'");
        return Unquoted(start, _pos);
    }

    private HoconToken Single(HoconTokenKind kind, ConfigOrigin start)
    {
        string t = _text[_pos].ToString();
        Advance();
        return new HoconToken(kind, t, start);
    }

    private HoconToken Unquoted(ConfigOrigin start, int from)
    {
        while (!AtEnd && !HoconStrings.IsForbiddenUnquoted(Peek()) && !(Peek() == '/' && Peek(1) == '/')) Advance();
        string t = _text[from.._pos];
        return t switch
        {
            "true" or "false" => new HoconToken(HoconTokenKind.Boolean, t, start),
            "null" => new HoconToken(HoconTokenKind.Null, t, start),
            _ => new HoconToken(HoconTokenKind.UnquotedText, t, start),
        };
    }

    // A number is read as far as number characters go; "10s" is the number 10 followed by the text "s"
    // (a concatenation), while "1.2.3" is not a number and becomes unquoted text.
    private HoconToken NumberOrText(ConfigOrigin start)
    {
        int from = _pos;
        while (!AtEnd && NumberChars.Contains(Peek())) Advance();
        string candidate = _text[from.._pos];
        if (HoconNumberNode.TryParse(candidate, start, out var number))
            return new HoconToken(HoconTokenKind.Number, candidate, start) { Number = number };
        if (candidate.Contains('+'))
            throw new ConfigParseException(start, $"invalid number '{candidate}'; quote it if it is meant as a string");
        return Unquoted(start, from);
    }

    private HoconToken Quoted(ConfigOrigin start)
    {
        Advance(); // opening quote
        var sb = new StringBuilder();
        while (true)
        {
            if (AtEnd) throw new ConfigParseException(start, "unterminated quoted string: expected a closing '\"' before end of file");
            char c = Peek();
            if (c == '"') { Advance(); break; }
            if (c == '\n')
                throw new ConfigParseException(Here, "expected a closing '\"' before the end of the line (write \\n for a newline, or use a \"\"\" string for several lines)");
            if (c != '\\') { sb.Append(c); Advance(); continue; }

            var escapeAt = Here;
            Advance();
            if (AtEnd) throw new ConfigParseException(escapeAt, "unterminated escape sequence '\\' at end of file");
            char e = Peek();
            Advance();
            switch (e)
            {
                case '"': sb.Append('"'); break;
                case '\\': sb.Append('\\'); break;
                case '/': sb.Append('/'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'u':
                    if (_pos + 4 > _text.Length || !int.TryParse(_text.AsSpan(_pos, 4), System.Globalization.NumberStyles.AllowHexSpecifier, null, out int code))
                        throw new ConfigParseException(escapeAt, "expected four hex digits after '\\u'");
                    for (int i = 0; i < 4; i++) Advance();
                    sb.Append((char)code);
                    break;
                default:
                    throw new ConfigParseException(escapeAt, $"invalid escape '\\{e}' in quoted string (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
            }
        }
        return new HoconToken(HoconTokenKind.QuotedString, sb.ToString(), start);
    }

    // """...""": no escapes, newlines kept; in a run of more than three closing quotes the extra ones belong to the string.
    private HoconToken TripleQuoted(ConfigOrigin start)
    {
        for (int i = 0; i < 3; i++) Advance();
        var sb = new StringBuilder();
        while (true)
        {
            if (AtEnd) throw new ConfigParseException(start, "unterminated \"\"\" string: expected a closing \"\"\" before end of file");
            if (Peek() == '"')
            {
                int run = 0;
                while (Peek(run) == '"') run++;
                if (run >= 3)
                {
                    sb.Append('"', run - 3);
                    for (int i = 0; i < run; i++) Advance();
                    return new HoconToken(HoconTokenKind.QuotedString, sb.ToString(), start);
                }
            }
            sb.Append(Peek());
            Advance();
        }
    }

    private HoconToken Substitution(ConfigOrigin start)
    {
        int from = _pos;
        Advance(); Advance(); // "${"
        bool optional = false;
        if (Peek() == '?') { optional = true; Advance(); }
        var pathTokens = new List<HoconToken>();
        while (true)
        {
            var t = Next();
            switch (t.Kind)
            {
                case HoconTokenKind.CloseBrace:
                    if (pathTokens.All(p => p.Kind == HoconTokenKind.Whitespace))
                        throw new ConfigParseException(start, "expected a path inside '${ }', found nothing");
                    var path = HoconPathBuilder.FromTokens(pathTokens, start);
                    return new HoconToken(HoconTokenKind.Substitution, _text[from.._pos], start)
                    {
                        SubstitutionPath = path,
                        OptionalSubstitution = optional,
                    };
                case HoconTokenKind.UnquotedText or HoconTokenKind.QuotedString or HoconTokenKind.Number
                    or HoconTokenKind.Boolean or HoconTokenKind.Null or HoconTokenKind.Whitespace:
                    pathTokens.Add(t);
                    break;
                case HoconTokenKind.Newline or HoconTokenKind.EndOfFile:
                    throw new ConfigParseException(start, $"substitution '${{' is not closed: expected '}}', found {t.Describe()}");
                default:
                    throw new ConfigParseException(t.Origin, $"{t.Describe()} is not allowed in a substitution path");
            }
        }
    }
}
