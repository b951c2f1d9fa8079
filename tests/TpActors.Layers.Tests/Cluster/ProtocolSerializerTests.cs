using TpActors.Layers.Text;
using TpActors.Layers.Serialization;
using TpActors.Layers.Tests.Training;
using TpActors.Runtime.Cluster;
using TpActors.Runtime.Configuration;

namespace TpActors.Layers.Tests.Cluster;

// Every cross-process message goes through the protocol serializer (never JSON) and comes back equal; nonsense bytes and
// tensors in a message are refused.
public sealed class ProtocolSerializerTests : IAsyncLifetime
{
    private ActorSystem _system = null!;

    public Task InitializeAsync()
    {
        _system = AkkaBootstrap.Create("serializer-tests", ConfigFactory.Reference);
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _system.Terminate();

    public static TheoryData<int> Indices() => [.. Enumerable.Range(0, Messages(ActorRefs.Nobody).Count)];

    private static List<object> Messages(IActorRef actor)
    {
        var o = TrainingRuns.Options(4, 6);
        var round = new PhaseRound(3, 17, TrainingPhase.Checkpoint);
        PhaseRound At(TrainingPhase phase) => round with { Phase = phase };
        var endpoint = new CollectiveEndpoint(actor, 42, "127.0.0.1:5000");
        return
        [
            new RunPhase(At(TrainingPhase.Join), new JoinTraining("run.3", [endpoint, endpoint with { Instance = 43 }], new TrainingSetup(o.Model, o.Optimizer, o.Task), new RestoreFromBulkLane(new BulkLaneTicket(-5, 1024)), "127.0.0.1:6000")),
            new RunPhase(At(TrainingPhase.Join), new JoinTraining("run.3", [endpoint], new TrainingSetup(o.Model, o.Optimizer, o.Task), new KeptSnapshot(16, new Address("akka.tcp", "tpactors", "127.0.0.1", 4000)), null, 1)),
            new RunPhase(At(TrainingPhase.Join), new JoinTraining("run.3", [endpoint], new TrainingSetup(o.Model, o.Optimizer, o.Task), null, null)),
            new RunPhase(At(TrainingPhase.Join), new JoinTraining("run.4", [endpoint], new TrainingSetup(
                new GptModelSpec(2, 16, 2, 8, new TextSpec("/data/t.txt", new TokenizerSpec("char", "ab\ncé"), 0.1f), Activation.Gelu, true, 0.1f, true, 16), o.Optimizer, o.Task), null, null)),
            new RunPhase(round, new CheckpointRequest("/ckpt/step-17", 4, new Dictionary<string, string> { ["a"] = "b" })),
            new RunPhase(At(TrainingPhase.Optimizer), new OptimizerRequest(new SnapshotInto(null))),
            new RunPhase(At(TrainingPhase.Optimizer), new OptimizerRequest(null)),
            new RunPhase(At(TrainingPhase.Snapshot), new SnapshotRequest(new SnapshotInto(null)), new FaultSpec(1, 17, TrainingPhase.Snapshot, FaultKind.Kill)),
            new RunPhase(At(TrainingPhase.Connect), ConnectRequest.Instance),
            new RunPhase(At(TrainingPhase.Batch), BatchRequest.Instance),
            new RunPhase(At(TrainingPhase.Forward), ForwardRequest.Instance),
            new RunPhase(At(TrainingPhase.Loss), LossRequest.Instance),
            new RunPhase(At(TrainingPhase.Evaluate), new EvaluateRequest(20)),
            new RunPhase(At(TrainingPhase.Backward), BackwardRequest.Instance),
            new RunPhase(At(TrainingPhase.Gather), GatherRequest.Instance),
            new PhaseDone(At(TrainingPhase.Loss), 2, new LossComputed(0.125)),
            new PhaseDone(At(TrainingPhase.Snapshot), 2, new SnapshotKept(16, 15)),
            new PhaseDone(At(TrainingPhase.Gather), 2, new StateOnBulkLane(new BulkLaneTicket(7, 99))),
            new PhaseDone(At(TrainingPhase.Connect), 2, new EndpointReported(endpoint)),
            new PhaseDone(At(TrainingPhase.Forward), 2, PhaseCompleted.Instance),
            new PhaseDone(At(TrainingPhase.Backward), 1, PhaseCompleted.Instance, 638_000_000_000_000_000, 12_345),
            new PhaseDone(At(TrainingPhase.Forward), 1, PhaseCompleted.Instance, 638_000_000_000_000_000, 12_345, new PhaseProfile(2_000_000, 900,
                [new CollectiveSpan(CollectiveOperation.AllReduce, CollectiveLinkKind.SharedMemory, 4, 1 << 20, 10, 300), new CollectiveSpan(CollectiveOperation.Barrier, CollectiveLinkKind.Tcp, 4, 0, 400, 5)], 3)),
            new PhaseDone(At(TrainingPhase.Optimizer), 0, PhaseCompleted.Instance, 1, 2, PhaseProfile.Empty),
            new PhaseDone(round, 1, new ShardFileWritten("rank-1.safetensors", new FileDigest(99, "ab"), [("w", ShardAxis.Rows, new[] { 3, 4 })])),
            new PhaseAborted(round, 0, "aborted"),
            new PhaseStalled(round, 1, [0, 3], "stalled"),
            new PhaseFailed(round, 1, "disk full"),
            new PeerConnectionLost(2, "run.3", 1),
            new HoldReplica(actor, 1, 17, -9, [new ShardTensorLayout("w", ShardAxis.Rows, 2, 3, 4), new ShardTensorLayout("b", ShardAxis.Replicated, 1, 1, 4)]),
            new ReplicaReady(-9),
            new ReplicaSent(-9),
            new ReplicaHeld(1, 17),
            new OfferReplica(actor, 1, 17),
            new ReplicaOffered([new ShardTensorLayout("w", ShardAxis.Columns, 2, 3, 4)]),
            new SendReplica(actor, 1, 17, "127.0.0.1:6000", 77),
            new ReplicaMissing("none"),
            GetCollectiveEndpoint.Instance,
            new JoinGroup("verify-1", [endpoint]),
            new RankDone(3),
            GetBackendDescription.Instance,
            o.Ranks,
            new TimeCollective("bench", CollectiveOperation.AllGather, 1024, 20, 3),
            new OpenRawSink(1 << 20, 5),
            new TimeRawSend("127.0.0.1:7", 1 << 20, 5, 4),
        ];
    }

    [Theory]
    [MemberData(nameof(Indices))]
    public void AMessage_RoundTrips_ThroughTheProtocolSerializer(int index)
    {
        var message = Messages(_system.DeadLetters)[index];
        var serializer = _system.Serialization.FindSerializerFor(message);
        Assert.IsType<ProtocolSerializer>(serializer);
        var bytes = serializer.ToBinary(message);
        var back = serializer.FromBinary(bytes, message.GetType());
        // Every field is written, so a message that came back whole writes the same bytes again.
        Assert.IsType(message.GetType(), back);
        Assert.Equal(bytes, serializer.ToBinary(back));
    }

    [Fact]
    public void ARankState_NeverRidesInAMessage()
    {
        using var state = new ShardState(1, [new ShardTensor("w", ShardAxis.Rows, Tensor.Zeros(2, 2))]);
        var message = new RunPhase(new PhaseRound(0, 1, TrainingPhase.Join), new JoinTraining("g", [], new TrainingSetup(TrainingRuns.Model, TrainingRuns.AdamW, TrainingRuns.Task), new RestoreState(state), null));
        Assert.Contains("BulkLaneTicket", Assert.Throws<ArgumentException>(() => _system.Serialization.FindSerializerFor(message).ToBinary(message)).Message);
    }

    [Theory]
    [InlineData(new byte[] { 200 })]
    [InlineData(new byte[] { 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 99, 0, 0, 0 })]
    public void NonsenseBytes_AreRefused(byte[] bytes)
    {
        var serializer = _system.Serialization.FindSerializerFor(new RankDone(0));
        var error = Record.Exception(() => serializer.FromBinary(bytes, typeof(RankDone)));
        Assert.True(error is System.Runtime.Serialization.SerializationException or EndOfStreamException, $"got {error?.GetType().Name}: {error?.Message}");
    }

    [Fact]
    public void ARequest_RunsOnlyInItsOwnPhase()
    {
        Assert.Throws<ArgumentException>(() => new RunPhase(new PhaseRound(0, 1, TrainingPhase.Forward), BackwardRequest.Instance));
        // On the wire too: a forward round that asks for backward is nonsense, refused as such.
        var serializer = _system.Serialization.FindSerializerFor(new RankDone(0));
        var forward = serializer.ToBinary(new RunPhase(new PhaseRound(0, 1, TrainingPhase.Forward), ForwardRequest.Instance));
        var backward = serializer.ToBinary(new RunPhase(new PhaseRound(0, 1, TrainingPhase.Backward), BackwardRequest.Instance));
        var mixed = forward.ToArray();
        mixed[^2] = backward[^2]; // the request's tag (the fault's presence byte follows it)
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary(mixed, typeof(RunPhase)));
    }

    [Fact]
    public void EachPhase_IsAnsweredOnlyByItsOwnResults()
    {
        Assert.True(PhaseProtocol.Answers(TrainingPhase.Loss, new LossComputed(1)));
        Assert.False(PhaseProtocol.Answers(TrainingPhase.Forward, new LossComputed(1)));
        Assert.False(PhaseProtocol.Answers(TrainingPhase.Loss, PhaseCompleted.Instance));
        Assert.True(PhaseProtocol.Answers(TrainingPhase.Snapshot, new SnapshotKept(1, 1)));
        Assert.False(PhaseProtocol.Answers(TrainingPhase.Gather, new SnapshotKept(1, 1)));
        Assert.True(PhaseProtocol.Answers(TrainingPhase.Join, PhaseCompleted.Instance));
    }
}
