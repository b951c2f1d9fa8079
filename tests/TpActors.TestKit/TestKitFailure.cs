using Xunit.Sdk;

namespace TpActors.Testing;

/// <summary>A TestKit expectation that did not hold; xunit reports it as a test failure with this message.</summary>
public sealed class TestKitFailure(string message) : XunitException(message);
