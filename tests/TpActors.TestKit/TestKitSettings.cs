using TpActors.Runtime.Configuration;

namespace TpActors.Testing;

/// <summary>The <c>tpactors.test</c> settings; every default timeout is stretched by <see cref="TimeFactor"/>.</summary>
/// <param name="TimeFactor">Multiplies default timeouts (<c>tpactors.test.timefactor</c>).</param>
/// <param name="SingleExpectDefault">ExpectMsg's default wait, before dilation.</param>
/// <param name="ExpectNoMessageDefault">ExpectNoMsg's default watch, before dilation.</param>
/// <param name="FilterLeeway">How long an EventFilter waits for its events after its block, before dilation.</param>
/// <param name="ShutdownTimeout">How long the end of a test waits for the system to terminate, before dilation.</param>
public sealed record TestKitSettings(double TimeFactor, TimeSpan SingleExpectDefault, TimeSpan ExpectNoMessageDefault, TimeSpan FilterLeeway, TimeSpan ShutdownTimeout)
{
    /// <summary>Reads <c>tpactors.test</c> from a configuration that includes reference.conf.</summary>
    public static TestKitSettings From(Config config)
    {
        double factor = config.GetDouble("tpactors.test.timefactor");
        if (!(factor > 0) || double.IsInfinity(factor))
            throw new ConfigTypeException("tpactors.test.timefactor", "a positive number", factor.ToString(System.Globalization.CultureInfo.InvariantCulture), config.GetOrigin("tpactors.test.timefactor"));
        return new TestKitSettings(
            factor,
            config.GetDuration("tpactors.test.single-expect-default"),
            config.GetDuration("tpactors.test.expect-no-message-default"),
            config.GetDuration("tpactors.test.filter-leeway"),
            config.GetDuration("tpactors.test.shutdown-timeout"));
    }

    /// <summary><paramref name="duration"/> stretched by the time factor.</summary>
    public TimeSpan Dilated(TimeSpan duration) => duration == Timeout.InfiniteTimeSpan ? duration : duration * TimeFactor;
}
