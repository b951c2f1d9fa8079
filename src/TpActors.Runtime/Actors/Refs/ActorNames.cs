namespace TpActors.Runtime.Actors;

/// <summary>The rule for actor names: letters, digits and <c>-_.:@&amp;=+,!~*';</c>; not empty; <c>$</c> only first, and only for names the system makes.</summary>
internal static class ActorNames
{
    private const string AllowedPunctuation = "-_.:@&=+,!~*';";

    /// <summary>Throws <see cref="InvalidActorNameException"/> unless <paramref name="name"/> may be given to an actor by a user.</summary>
    public static void Validate(string name)
    {
        if (name.Length == 0) throw new InvalidActorNameException("An actor name must not be empty; pass null to let the system choose one.");
        if (name[0] == '$') throw new InvalidActorNameException($"Actor name '{name}' starts with '$', which is reserved for names the system makes.");
        int bad = name.AsSpan().IndexOfAnyExcept(Allowed);
        if (bad >= 0)
            throw new InvalidActorNameException(
                $"Actor name '{name}' has '{name[bad]}' at index {bad}; a name may hold letters, digits and {AllowedPunctuation} only.");
    }

    private static readonly System.Buffers.SearchValues<char> Allowed = System.Buffers.SearchValues.Create(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" + AllowedPunctuation);

    /// <summary>A system-made name: <c>$a</c>, <c>$b</c>, …, <c>$ba</c>, … from a counter.</summary>
    public static string Generated(long number)
    {
        Span<char> buffer = stackalloc char[16];
        int at = buffer.Length;
        do
        {
            buffer[--at] = (char)('a' + number % 26);
            number /= 26;
        } while (number > 0);
        buffer[--at] = '$';
        return new string(buffer[at..]);
    }
}
