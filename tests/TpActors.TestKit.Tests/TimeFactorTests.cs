namespace TpActors.Testing.Tests;

public sealed class TimeFactorTests() : TestKit("tpactors.test.timefactor = 2.5")
{
    [Fact]
    public void TimeFactor_StretchesEveryDefault()
    {
        Assert.Equal(2.5, Settings.TimeFactor);
        Assert.Equal(TimeSpan.FromSeconds(7.5), CreateTestProbe().RemainingOrDefault);
        Assert.Equal(TimeSpan.FromSeconds(1), Dilated(TimeSpan.FromMilliseconds(400)));
    }

    [Fact]
    public void TimeFactor_NotPositive_IsRefusedNamingTheSetting()
    {
        var config = Runtime.Configuration.ConfigFactory.ParseString("tpactors.test.timefactor = 0")
            .WithFallback(Runtime.Configuration.ConfigFactory.Reference);
        var error = Assert.Throws<Runtime.Configuration.ConfigTypeException>(() => TestKitSettings.From(config));
        Assert.Contains("tpactors.test.timefactor", error.Message);
    }
}
