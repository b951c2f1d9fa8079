namespace TpActors.Runtime.Configuration;

/// <summary>Base of every configuration error; the message starts with the <c>file:line:column</c> it concerns when there is one.</summary>
public class ConfigException : Exception
{
    /// <summary>Creates an error about <paramref name="origin"/> (or about no place in particular when null).</summary>
    public ConfigException(ConfigOrigin? origin, string message, Exception? inner = null)
        : base(origin is null || origin.Line == 0 && origin == ConfigOrigin.Code ? message : $"{origin}: {message}", inner)
    {
        Origin = origin;
        Detail = message;
    }

    /// <summary>Where the problem is, when it is in a file or on the command line.</summary>
    public ConfigOrigin? Origin { get; }

    /// <summary>The message without the location prefix.</summary>
    public string Detail { get; }
}
