using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace TpActors.Host.Commands;

/// <summary>
/// Rules the parser holds options to before any command runs, so a slip is a usage error (exit 2) in one sentence that
/// echoes what was typed: a path that is empty, a float32 that the number typed would silently become 0 or infinity.
/// </summary>
public static class OptionRules
{
    /// <summary><paramref name="option"/>, refusing an empty or blank path.</summary>
    public static Option<string?> Path(this Option<string?> option)
    {
        option.Validators.Add(result => RequirePath(result, option.Name, result.Tokens));
        return option;
    }

    /// <summary><paramref name="argument"/>, refusing an empty or blank path.</summary>
    public static Argument<string> Path(this Argument<string> argument)
    {
        argument.Validators.Add(result => RequirePath(result, $"the argument {argument.Name}", result.Tokens));
        return argument;
    }

    /// <summary>
    /// <paramref name="option"/>, parsed as a number that float32 holds as typed: one that would round to 0 (1e-320) or
    /// overflow to infinity (1e39) is refused, quoting the words typed, instead of running with 0 or ∞.
    /// </summary>
    public static Option<float?> Float32(this Option<float?> option)
    {
        option.CustomParser = result =>
        {
            string typed = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            if (!double.TryParse(typed, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                result.AddError($"{option.Name} {typed}: expected a number.");
                return null;
            }
            float single = (float)value;
            if (single == 0 && value != 0)
                result.AddError($"{option.Name} {typed}: too small for a float32, which would hold it as 0 (the smallest is {float.Epsilon:G2}).");
            else if (float.IsInfinity(single) && !double.IsInfinity(value))
                result.AddError($"{option.Name} {typed}: too large for a float32, which would hold it as infinity (the largest is {float.MaxValue:G2}).");
            return single;
        };
        return option;
    }

    private static void RequirePath(SymbolResult result, string name, IReadOnlyList<Token> tokens)
    {
        foreach (var token in tokens)
            if (string.IsNullOrWhiteSpace(token.Value))
                result.AddError($"{name} \"{token.Value}\": a path cannot be empty; name a file or directory.");
    }
}
