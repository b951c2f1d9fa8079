using TpActors.Runtime.Configuration.Hocon;

namespace TpActors.Runtime.Configuration;

/// <summary>
/// Loads the configuration a TpActors program runs with: the embedded <c>reference.conf</c>, under the
/// user's file (<c>--config FILE</c>), under command-line overrides (<c>-D path=value</c>), resolved as one
/// tree and checked: the <c>tpactors</c> section must match <c>reference.conf</c> in keys and types. Any
/// problem throws a <see cref="ConfigException"/> before anything starts.
/// </summary>
public static class ConfigLoader
{
    /// <summary>The namespace of the project's own settings, checked against <c>reference.conf</c>.</summary>
    public const string Namespace = "tpactors";

    private const string UnknownKeysPath = "tpactors.config.unknown-keys";

    /// <summary>Loads, merges, resolves and checks the configuration.</summary>
    /// <param name="configFile">The user's file, or null for defaults only.</param>
    /// <param name="overrides">The <c>-D path=value</c> overrides, in command-line order.</param>
    public static LoadedConfig Load(string? configFile = null, IReadOnlyList<string>? overrides = null)
    {
        var reference = ConfigFactory.Reference;
        var commandLine = ConfigOverrides.Parse(overrides ?? []);

        // max-file-size guards reading the user's file, so it can only come from reference.conf and -D;
        // only that one path is resolved here, since other overrides may refer to the file.
        var file = configFile is null ? HoconConfig.Empty : ConfigFactory.ParseFile(configFile, new HoconParseOptions(MaxFileSize(commandLine, reference)));
        var fileAndCommandLine = commandLine.WithFallback(file);
        var merged = fileAndCommandLine.WithFallback(reference);
        var config = merged.Resolve(useEnvironment: true);

        var warnings = Check(config);
        if (!config.GetBoolean("tpactors.config.environment-fallback")) config = merged.Resolve(useEnvironment: false);
        return new LoadedConfig(config, fileAndCommandLine, warnings);
    }

    /// <summary>
    /// Checks the <c>tpactors</c> section of a resolved configuration (which must include reference.conf) against
    /// reference.conf: keys and types. Every problem is collected first, then thrown together as one
    /// <see cref="ConfigException"/>; unknown keys are only returned as warnings under <c>tpactors.config.unknown-keys = warn</c>.
    /// </summary>
    /// <returns>The warnings about unknown keys that the policy let through.</returns>
    public static IReadOnlyList<string> Check(HoconConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var problems = ConfigValidator.Check(config, ConfigFactory.Reference, ConfigFactory.ReferenceRules, Namespace).ToList();
        // A policy that is not error or warn is itself one of the problems (its rule), and then unknown keys are errors.
        string policy = problems.Any(p => p.Error is ConfigTypeException { Path: UnknownKeysPath }) ? "error" : config.GetString(UnknownKeysPath);
        var errors = problems.Where(p => !p.IsUnknownKey || policy == "error").Select(p => p.Error).ToList();
        if (errors.Count > 0) throw errors.Count == 1 ? errors[0] : new ConfigValidationException(errors);
        return problems.Where(p => p.IsUnknownKey).Select(p => p.Error.Message).ToList();
    }

    private static long MaxFileSize(HoconConfig commandLine, HoconConfig reference)
    {
        const string path = "tpactors.config.max-file-size";
        var value = HoconResolver.ResolvePath(commandLine.WithFallback(reference).Unresolved, HoconPath.Parse(path), useEnvironment: true)
            ?? throw new ConfigMissingException(path);
        long bytes = ConfigValueReader.ReadBytes(value, path);
        // Its rule is checked now, before the file is read, since the limit is what bounds the memory reading takes.
        if (ConfigFactory.ReferenceRules.Find(path)?.Violation(bytes) is { } must)
            throw new ConfigTypeException(path, must, ConfigUnits.FormatBytes(bytes), value.Origin);
        return bytes;
    }
}

/// <summary>The result of <see cref="ConfigLoader.Load"/>.</summary>
/// <param name="Config">The merged, resolved and checked configuration.</param>
/// <param name="FileAndOverrides">What the user's file and the -D overrides set, unresolved: the keys that did not come from reference.conf.</param>
/// <param name="Warnings">Unknown keys let through by <c>tpactors.config.unknown-keys = warn</c>.</param>
public sealed record LoadedConfig(HoconConfig Config, HoconConfig FileAndOverrides, IReadOnlyList<string> Warnings);
