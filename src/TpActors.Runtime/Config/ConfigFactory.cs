using System.Reflection;
using TpActors.Runtime.Configuration.Hocon;

namespace TpActors.Runtime.Configuration;

/// <summary>Parses configuration text and files (HOCON, JSON, Java .properties), as Akka's <c>ConfigurationFactory</c>.</summary>
public static class ConfigFactory
{
    private static readonly Lazy<(HoconConfig Config, SettingRules Rules)> ReferenceFile = new(LoadReference);

    /// <summary>The project's defaults: <c>hocon/reference.conf</c>, embedded in this assembly.</summary>
    public static HoconConfig Reference => ReferenceFile.Value.Config;

    /// <summary>The rules of reference.conf's settings (its <c># Valid: …</c> lines).</summary>
    internal static SettingRules ReferenceRules => ReferenceFile.Value.Rules;

    /// <summary>Parses HOCON text; includes are located relative to the working directory.</summary>
    /// <param name="text">The HOCON text.</param>
    /// <param name="source">The name that origins and errors use for this text.</param>
    public static HoconConfig ParseString(string text, string source = "<string>")
    {
        ArgumentNullException.ThrowIfNull(text);
        return new HoconConfig(HoconParser.ParseDocument(text, source, new HoconIncluder(HoconParseOptions.Unlimited)));
    }

    /// <summary>Parses a file (.conf or .json as HOCON, .properties as Java properties) with its includes.</summary>
    public static HoconConfig ParseFile(string path) => ParseFile(path, HoconParseOptions.Unlimited);

    internal static HoconConfig ParseFile(string path, HoconParseOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new ConfigException(null, Directory.Exists(path)
                ? $"configuration file '{path}' is a directory"
                : $"configuration file '{path}' not found");
        return new HoconConfig(new HoconIncluder(options).ParseFile(path, includedFrom: null));
    }

    private static (HoconConfig, SettingRules) LoadReference()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("reference.conf")
            ?? throw new InvalidOperationException("reference.conf is not embedded in TpActors.Runtime; the build is broken.");
        using var reader = new StreamReader(stream);
        string text = reader.ReadToEnd();
        var config = ParseString(text, "reference.conf");
        return (config, SettingRules.Read(text, config.Root, "reference.conf"));
    }
}
