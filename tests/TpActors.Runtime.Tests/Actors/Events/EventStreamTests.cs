namespace TpActors.Runtime.Tests.Actors;

public sealed class EventStreamTests : TestKit
{
    private record Animal(string Name);
    private sealed record Dog(string Name) : Animal(Name);

    [Fact]
    public void Subscribe_ByType_ReceivesThatTypeAndSubtypes_Once()
    {
        Sys.EventStream.Subscribe<Animal>(TestActor);
        Sys.EventStream.Subscribe<object>(TestActor); // overlapping channel: still one delivery per event
        Sys.EventStream.Publish(new Dog("rex"));
        ExpectMsg(new Dog("rex"));
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Subscribe_OtherType_NotDelivered_UnsubscribeStopsDelivery()
    {
        var dogs = CreateTestProbe();
        Sys.EventStream.Subscribe<Dog>(dogs.Ref);
        Sys.EventStream.Publish(new Animal("cat"));
        dogs.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        Assert.True(Sys.EventStream.Unsubscribe(dogs.Ref, typeof(Dog)));
        Sys.EventStream.Publish(new Dog("rex"));
        dogs.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        Assert.False(Sys.EventStream.Unsubscribe(dogs.Ref, typeof(Dog)));
    }

    [Fact]
    public void Subscribe_Twice_SameChannel_ReportsFalse()
    {
        Assert.True(Sys.EventStream.Subscribe<Dog>(TestActor));
        Assert.False(Sys.EventStream.Subscribe<Dog>(TestActor));
    }

    [Fact]
    public void DeadLetters_Ref_PublishesDeadLetter()
    {
        Sys.EventStream.Subscribe<DeadLetter>(TestActor);
        Sys.DeadLetters.Tell("nowhere", TestActor);
        var letter = ExpectMsg<DeadLetter>();
        Assert.Equal("nowhere", letter.Message);
        Assert.Equal("tpactors://EventStreamTests/deadLetters", letter.Recipient.Path.ToString());
    }
}
