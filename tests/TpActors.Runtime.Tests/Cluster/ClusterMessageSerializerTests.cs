using Akka.Actor;
using TpActors.Runtime.Cluster;
using TpActors.Runtime.Configuration;

namespace TpActors.Runtime.Tests.Cluster;

// The host slots' messages cross processes through this project's own serializer (never JSON, never another project's)
// and come back equal; nonsense bytes are refused.
public sealed class ClusterMessageSerializerTests : IAsyncLifetime
{
    private ActorSystem _system = null!;

    public Task InitializeAsync()
    {
        _system = AkkaBootstrap.Create("cluster-serializer-tests", ConfigFactory.Reference);
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _system.Terminate();

    public static TheoryData<int> Indices() => [.. Enumerable.Range(0, Messages(ActorRefs.Nobody).Count)];

    private static List<object> Messages(IActorRef actor) =>
    [
        new GetSlotOffer("c0ffee"),
        new SlotOffer(4, 2, 16, "proof"),
        new SlotsLeased("train", [0, 1]),
        new LeaseSlots("train", 2, actor),
        new ReleaseSlots("train"),
        new HostDraining(new Address("akka.tcp", "tpactors", "127.0.0.1", 4000)),
    ];

    [Theory]
    [MemberData(nameof(Indices))]
    public void AMessage_RoundTrips_ThroughTheClusterSerializer(int index)
    {
        var message = Messages(_system.DeadLetters)[index];
        var serializer = _system.Serialization.FindSerializerFor(message);
        Assert.IsType<ClusterMessageSerializer>(serializer);
        var bytes = serializer.ToBinary(message);
        var back = serializer.FromBinary(bytes, message.GetType());
        // Every field is written, so a message that came back whole writes the same bytes again.
        Assert.IsType(message.GetType(), back);
        Assert.Equal(bytes, serializer.ToBinary(back));
    }

    [Theory]
    [InlineData(new byte[] { 200 })]
    [InlineData(new byte[] { 4, 1, 0x61, 0xff, 0xff, 0xff, 0x7f })]
    public void NonsenseBytes_AreRefused(byte[] bytes)
    {
        var serializer = _system.Serialization.FindSerializerFor(new ReleaseSlots("x"));
        var error = Record.Exception(() => serializer.FromBinary(bytes, typeof(ReleaseSlots)));
        Assert.True(error is System.Runtime.Serialization.SerializationException or EndOfStreamException, $"got {error?.GetType().Name}: {error?.Message}");
    }
}
