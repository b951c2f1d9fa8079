namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>The kinds of token the HOCON tokenizer produces. Comments are dropped; newlines are kept because they separate fields.</summary>
internal enum HoconTokenKind
{
    OpenBrace,
    CloseBrace,
    OpenBracket,
    CloseBracket,
    Comma,
    Colon,
    Equals,
    PlusEquals,
    Newline,
    Whitespace,
    QuotedString,
    UnquotedText,
    Number,
    Boolean,
    Null,
    Substitution,
    EndOfFile,
}
