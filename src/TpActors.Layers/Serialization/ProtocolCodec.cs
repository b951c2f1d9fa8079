using Akka.Actor;
using TpActors.Layers.Collectives;
using TpActors.Layers.Sharding;
using TpActors.Layers.Tensors;
using TpActors.Runtime.Cluster;
using TpActors.Runtime.IO;
using TpActors.Layers.Parallel;
using TpActors.Layers.Models;
using TpActors.Layers.Data;
using TpActors.Layers.Optimizers;
using TpActors.Layers.Checkpoints;
using TpActors.Layers.Snapshots;
using TpActors.Layers.Ranks;
using TpActors.Layers.Training;

namespace TpActors.Layers.Serialization;

/// <summary>
/// Writes and reads the values of TpActors' cross-process protocol: each value a one-byte tag, then its fields in order
/// (strings length-prefixed UTF-8, actor references as their full paths). A tag or a count that is out of range is refused
/// with <see cref="System.Runtime.Serialization.SerializationException"/>, never a crash or an unbounded allocation.
/// Over Akka.Remote no tensor is written; the bodies of <see cref="BulkLaneTicket"/>s, which travel on the bulk lane, may carry
/// them (<see cref="BulkLaneBodySerializer"/>): shape, then raw little-endian floats.
/// </summary>
internal sealed class ProtocolCodec(ExtendedActorSystem system, bool tensors = false)
{
    private enum Tag : byte
    {
        Null, Int, Long, Double, String, ActorRef,
        RunPhase, PhaseDone, PhaseAborted, PhaseStalled, PhaseFailed,
        JoinTraining, CheckpointRequest, ShardFileWritten, BulkLaneTicket,
        GetCollectiveEndpoint, CollectiveEndpoint, JoinGroup, RankDone, GetBackendDescription, RankSettings,
        TimeCollective, OpenRawSink, TimeRawSend,
        KeptSnapshot, Tensor, ShardState, Forward, Backward, TensorReply, ParametersReply, GetParameters, CreateLayer, ColumnLinearSpec, RowLinearSpec, MlpSpec,
        HoldReplica, ReplicaHeld, SendReplica, ReplicaMissing, PeerConnectionLost, ReplicaReady, ReplicaSent, OfferReplica, ReplicaOffered,
        ConnectRequest, BatchRequest, ForwardRequest, LossRequest, BackwardRequest, OptimizerRequest, SnapshotRequest, GatherRequest,
        PhaseCompleted, EndpointReported, LossComputed, StateHandedOver, StateOnBulkLane, SnapshotKept, RestoreState, RestoreFromBulkLane,
        AttentionSpec, LayerNormSpec, BlockSpec, GptSpec, EvaluateRequest,
    }

    public void Write(BinaryWriter w, object? value)
    {
        switch (value)
        {
            case null: w.Write((byte)Tag.Null); break;
            case int i: w.Write((byte)Tag.Int); w.Write(i); break;
            case long l: w.Write((byte)Tag.Long); w.Write(l); break;
            case double d: w.Write((byte)Tag.Double); w.Write(d); break;
            case string s: w.Write((byte)Tag.String); w.Write(s); break;
            case IActorRef actor: w.Write((byte)Tag.ActorRef); w.WriteActor(actor); break;
            case RunPhase m: w.Write((byte)Tag.RunPhase); WriteRound(w, m.Round); Write(w, m.Request); WriteFault(w, m.Fault); break;
            case PhaseDone m: w.Write((byte)Tag.PhaseDone); WriteRound(w, m.Round); w.Write(m.Rank); Write(w, m.Result); w.Write(m.StartedUtcTicks); w.Write(m.ElapsedTicks); WriteProfile(w, m.Profile); break;
            case PhaseAborted m: w.Write((byte)Tag.PhaseAborted); WriteRound(w, m.Round); w.Write(m.Rank); w.Write(m.Reason); break;
            case PhaseStalled m:
                w.Write((byte)Tag.PhaseStalled); WriteRound(w, m.Round); w.Write(m.Rank);
                w.WriteList(m.Missing, (w2, r) => w2.Write(r)); w.Write(m.Message);
                break;
            case PhaseFailed m: w.Write((byte)Tag.PhaseFailed); WriteRound(w, m.Round); w.Write(m.Rank); w.Write(m.Reason); break;
            case PeerConnectionLost m: w.Write((byte)Tag.PeerConnectionLost); w.Write(m.Rank); w.Write(m.Group); w.Write(m.Peer); break;
            case JoinTraining m:
                w.Write((byte)Tag.JoinTraining); w.Write(m.Group); w.WriteList(m.Endpoints, WriteEndpoint);
                WriteSetup(w, m.Setup);
                Write(w, m.Restore); w.WriteOptional(m.SupervisorLane); w.Write(m.Buddy);
                break;
            case ConnectRequest: w.Write((byte)Tag.ConnectRequest); break;
            case BatchRequest: w.Write((byte)Tag.BatchRequest); break;
            case ForwardRequest: w.Write((byte)Tag.ForwardRequest); break;
            case LossRequest: w.Write((byte)Tag.LossRequest); break;
            case EvaluateRequest m: w.Write((byte)Tag.EvaluateRequest); w.Write(m.Batches); break;
            case BackwardRequest: w.Write((byte)Tag.BackwardRequest); break;
            case OptimizerRequest m: w.Write((byte)Tag.OptimizerRequest); w.Write(m.Snapshot is not null); if (m.Snapshot is { } into) RequireNoLoan(into); break;
            case SnapshotRequest m: w.Write((byte)Tag.SnapshotRequest); RequireNoLoan(m.Into); break;
            case GatherRequest: w.Write((byte)Tag.GatherRequest); break;
            case PhaseCompleted: w.Write((byte)Tag.PhaseCompleted); break;
            case EndpointReported m: w.Write((byte)Tag.EndpointReported); WriteEndpoint(w, m.Endpoint); break;
            case LossComputed m: w.Write((byte)Tag.LossComputed); w.Write(m.Loss); break;
            case StateHandedOver m: w.Write((byte)Tag.StateHandedOver); Write(w, m.State); break;
            case StateOnBulkLane m: w.Write((byte)Tag.StateOnBulkLane); Write(w, m.Ticket); break;
            case SnapshotKept m: w.Write((byte)Tag.SnapshotKept); w.Write(m.Step); w.Write(m.Replicated); break;
            case RestoreState m: w.Write((byte)Tag.RestoreState); Write(w, m.State); break;
            case RestoreFromBulkLane m: w.Write((byte)Tag.RestoreFromBulkLane); Write(w, m.Ticket); break;
            case CheckpointRequest m:
                w.Write((byte)Tag.CheckpointRequest); w.Write(m.Directory); w.Write(m.Tp);
                w.WriteList(m.Metadata.ToList(), (w2, kv) => { w2.Write(kv.Key); w2.Write(kv.Value); });
                break;
            case ShardFileWritten m:
                w.Write((byte)Tag.ShardFileWritten); w.Write(m.FileName); w.Write(m.Digest.Bytes); w.Write(m.Digest.Sha256);
                w.WriteList(m.Layout, (w2, t) => { w2.Write(t.Name); w2.Write((int)t.Axis); w2.WriteList(t.Shape, (w3, d) => w3.Write(d)); });
                break;
            case BulkLaneTicket m: w.Write((byte)Tag.BulkLaneTicket); w.Write(m.Ticket); w.Write(m.Bytes); break;
            case KeptSnapshot m: w.Write((byte)Tag.KeptSnapshot); w.Write(m.Step); w.WriteOptional(m.Holder?.ToString()); break;
            case HoldReplica m:
                w.Write((byte)Tag.HoldReplica); w.WriteActor(m.Supervisor); w.Write(m.Rank); w.Write(m.Step); w.Write(m.Ticket);
                WriteLayout(w, m.Layout);
                break;
            case ReplicaReady m: w.Write((byte)Tag.ReplicaReady); w.Write(m.Ticket); break;
            case ReplicaSent m: w.Write((byte)Tag.ReplicaSent); w.Write(m.Ticket); break;
            case ReplicaHeld m: w.Write((byte)Tag.ReplicaHeld); w.Write(m.Rank); w.Write(m.Step); break;
            case SendReplica m: w.Write((byte)Tag.SendReplica); w.WriteActor(m.Supervisor); w.Write(m.Rank); w.Write(m.Step); w.Write(m.ToLane); w.Write(m.Ticket); break;
            case OfferReplica m: w.Write((byte)Tag.OfferReplica); w.WriteActor(m.Supervisor); w.Write(m.Rank); w.Write(m.Step); break;
            case ReplicaOffered m: w.Write((byte)Tag.ReplicaOffered); WriteLayout(w, m.Layout); break;
            case ReplicaMissing m: w.Write((byte)Tag.ReplicaMissing); w.Write(m.Reason); break;
            case GetParameters m: w.Write((byte)Tag.GetParameters); w.Write(m.Layer); break;
            case CreateLayer m: w.Write((byte)Tag.CreateLayer); w.Write(m.Name); w.Write(m.Group); Write(w, m.Spec); w.Write(m.Seed); break;
            case ColumnLinearSpec m: w.Write((byte)Tag.ColumnLinearSpec); w.Write(m.InFeatures); w.Write(m.OutFeatures); w.Write(m.Bias); w.Write(m.GatherOutput); break;
            case RowLinearSpec m: w.Write((byte)Tag.RowLinearSpec); w.Write(m.InFeatures); w.Write(m.OutFeatures); w.Write(m.Bias); w.Write(m.InputIsParallel); break;
            case MlpSpec m: w.Write((byte)Tag.MlpSpec); w.Write(m.Hidden); w.Write(m.Ffn); w.Write(m.Bias); w.Write((int)m.Activation); break;
            case AttentionSpec a: w.Write((byte)Tag.AttentionSpec); w.Write(a.Hidden); w.Write(a.Heads); w.Write(a.SequenceLength); w.Write(a.Bias); w.Write(a.SequenceParallelTokens); break;
            case BlockSpec b:
                w.Write((byte)Tag.BlockSpec); w.Write(b.Hidden); w.Write(b.Heads); w.Write(b.Ffn); w.Write(b.SequenceLength); w.Write(b.Bias); w.Write((int)b.Activation);
                w.Write(b.Epsilon); w.Write(b.SequenceParallelTokens);
                break;
            case GptSpec g:
                w.Write((byte)Tag.GptSpec); w.Write(g.Vocab); w.Write(g.Hidden); w.Write(g.Heads); w.Write(g.Ffn); w.Write(g.Context); w.Write(g.Layers); w.Write(g.Bias);
                w.Write((int)g.Activation); w.Write(g.Epsilon); w.Write(g.LabelSmoothing); w.Write(g.TieWeights); w.Write(g.SequenceParallelTokens);
                break;
            case LayerNormSpec n: w.Write((byte)Tag.LayerNormSpec); w.Write(n.Features); w.Write(n.Epsilon); w.Write(n.SequenceParallel); break;
            case Tensor t: w.Write((byte)Tag.Tensor); WriteTensor(w, t); break;
            case ShardState m:
                w.Write((byte)Tag.ShardState); RequireTensors(m); w.Write(m.Step);
                w.WriteList(m.Tensors, (w2, t) => { w2.Write(t.Name); w2.Write((int)t.Axis); WriteTensor(w2, t.Value); });
                break;
            case Forward m: w.Write((byte)Tag.Forward); w.Write(m.Layer); WriteTensor(w, m.Input); break;
            case Backward m: w.Write((byte)Tag.Backward); w.Write(m.Layer); WriteTensor(w, m.GradOutput); break;
            case TensorReply m: w.Write((byte)Tag.TensorReply); w.Write(m.Rank); WriteTensor(w, m.Tensor); break;
            case ParametersReply m:
                w.Write((byte)Tag.ParametersReply); w.Write(m.Rank);
                w.WriteList(m.Parameters, (w2, p) => { w2.Write(p.Name); w2.Write((int)p.Axis); WriteTensor(w2, p.Value); WriteTensor(w2, p.Gradient); });
                break;
            case GetCollectiveEndpoint: w.Write((byte)Tag.GetCollectiveEndpoint); break;
            case CollectiveEndpoint m: w.Write((byte)Tag.CollectiveEndpoint); WriteEndpoint(w, m); break;
            case JoinGroup m: w.Write((byte)Tag.JoinGroup); w.Write(m.Group); w.WriteList(m.Endpoints, WriteEndpoint); w.WriteOptional(m.ReplyLane); break;
            case RankDone m: w.Write((byte)Tag.RankDone); w.Write(m.Rank); break;
            case GetBackendDescription: w.Write((byte)Tag.GetBackendDescription); break;
            case RankSettings m:
                w.Write((byte)Tag.RankSettings); w.Write((int)m.Backend); w.Write(m.BlasThreads); w.Write(m.CommandTimeout.Ticks);
                w.Write(m.Collectives.RoundTimeout.Ticks); w.Write(m.Collectives.StallGrace.Ticks); w.Write(m.Collectives.ChunkElements); w.Write(m.Collectives.BulkChunkElements); w.Write(m.Collectives.RecordedPerPhase);
                break;
            case TimeCollective m: w.Write((byte)Tag.TimeCollective); w.Write(m.Group); w.Write((int)m.Operation); w.Write(m.Floats); w.Write(m.Iterations); w.Write(m.Warmup); break;
            case OpenRawSink m: w.Write((byte)Tag.OpenRawSink); w.Write(m.Bytes); w.Write(m.Transfers); break;
            case TimeRawSend m: w.Write((byte)Tag.TimeRawSend); w.Write(m.Address); w.Write(m.Bytes); w.Write(m.Transfers); w.Write(m.Timed); break;
            default: throw new ArgumentException($"{value.GetType().Name} is not a message of TpActors' cross-process protocol.");
        }
    }

    public object? Read(BinaryReader r)
    {
        var tag = (Tag)r.ReadByte();
        return tag switch
        {
            Tag.Null => null,
            Tag.Int => r.ReadInt32(),
            Tag.Long => r.ReadInt64(),
            Tag.Double => r.ReadDouble(),
            Tag.String => r.ReadString(),
            Tag.ActorRef => r.ReadActor(system),
            Tag.RunPhase => ReadRunPhase(r),
            Tag.PhaseDone => new PhaseDone(ReadRound(r), r.ReadInt32(), ReadAs<PhaseResult>(r), r.ReadInt64(), r.ReadInt64(), ReadProfile(r)),
            Tag.PhaseAborted => new PhaseAborted(ReadRound(r), r.ReadInt32(), r.ReadString()),
            Tag.PhaseStalled => new PhaseStalled(ReadRound(r), r.ReadInt32(), r.ReadList(r2 => r2.ReadInt32()), r.ReadString()),
            Tag.PhaseFailed => new PhaseFailed(ReadRound(r), r.ReadInt32(), r.ReadString()),
            Tag.PeerConnectionLost => new PeerConnectionLost(r.ReadInt32(), r.ReadString(), r.ReadInt32()),
            Tag.JoinTraining => new JoinTraining(r.ReadString(), r.ReadList(ReadEndpoint), ReadSetup(r), ReadOptionalAs<RestoreSource>(r), r.ReadOptional(), r.ReadInt32()),
            Tag.ConnectRequest => ConnectRequest.Instance,
            Tag.BatchRequest => BatchRequest.Instance,
            Tag.ForwardRequest => ForwardRequest.Instance,
            Tag.LossRequest => LossRequest.Instance,
            Tag.EvaluateRequest => new EvaluateRequest(r.ReadInt32()),
            Tag.BackwardRequest => BackwardRequest.Instance,
            Tag.OptimizerRequest => new OptimizerRequest(r.ReadBoolean() ? new SnapshotInto(null) : null),
            Tag.SnapshotRequest => new SnapshotRequest(new SnapshotInto(null)),
            Tag.GatherRequest => GatherRequest.Instance,
            Tag.PhaseCompleted => PhaseCompleted.Instance,
            Tag.EndpointReported => new EndpointReported(ReadEndpoint(r)),
            Tag.LossComputed => new LossComputed(r.ReadDouble()),
            Tag.StateHandedOver => new StateHandedOver(ReadAs<ShardState>(r)),
            Tag.StateOnBulkLane => new StateOnBulkLane(ReadAs<BulkLaneTicket>(r)),
            Tag.SnapshotKept => new SnapshotKept(r.ReadInt64(), r.ReadInt64()),
            Tag.RestoreState => new RestoreState(ReadAs<ShardState>(r)),
            Tag.RestoreFromBulkLane => new RestoreFromBulkLane(ReadAs<BulkLaneTicket>(r)),
            Tag.CheckpointRequest => new CheckpointRequest(r.ReadString(), r.ReadInt32(), r.ReadList(r2 => KeyValuePair.Create(r2.ReadString(), r2.ReadString())).ToDictionary()),
            Tag.ShardFileWritten => new ShardFileWritten(r.ReadString(), new FileDigest(r.ReadInt64(), r.ReadString()),
                r.ReadList(r2 => (r2.ReadString(), r2.ReadEnum<ShardAxis>(), r2.ReadList(r3 => r3.ReadInt32()).ToArray()))),
            Tag.BulkLaneTicket => new BulkLaneTicket(r.ReadInt64(), r.ReadInt64()),
            Tag.KeptSnapshot => new KeptSnapshot(r.ReadInt64(), r.ReadOptional() is { } holder ? WireFormat.ParseAddress(holder) : null),
            Tag.HoldReplica => new HoldReplica(r.ReadActor(system), r.ReadInt32(), r.ReadInt64(), r.ReadInt64(), ReadLayout(r)),
            Tag.OfferReplica => new OfferReplica(r.ReadActor(system), r.ReadInt32(), r.ReadInt64()),
            Tag.ReplicaOffered => new ReplicaOffered(ReadLayout(r)),
            Tag.ReplicaReady => new ReplicaReady(r.ReadInt64()),
            Tag.ReplicaSent => new ReplicaSent(r.ReadInt64()),
            Tag.ReplicaHeld => new ReplicaHeld(r.ReadInt32(), r.ReadInt64()),
            Tag.SendReplica => new SendReplica(r.ReadActor(system), r.ReadInt32(), r.ReadInt64(), r.ReadString(), r.ReadInt64()),
            Tag.ReplicaMissing => new ReplicaMissing(r.ReadString()),
            Tag.GetParameters => new GetParameters(r.ReadString()),
            Tag.CreateLayer => new CreateLayer(r.ReadString(), r.ReadString(), Read(r) as LayerSpec ?? throw new System.Runtime.Serialization.SerializationException("A layer command without a layer spec."), r.ReadInt64()),
            Tag.ColumnLinearSpec => new ColumnLinearSpec(r.ReadInt32(), r.ReadInt32(), r.ReadBoolean(), r.ReadBoolean()),
            Tag.RowLinearSpec => new RowLinearSpec(r.ReadInt32(), r.ReadInt32(), r.ReadBoolean(), r.ReadBoolean()),
            Tag.MlpSpec => new MlpSpec(r.ReadInt32(), r.ReadInt32(), r.ReadBoolean(), r.ReadEnum<Activation>()),
            Tag.AttentionSpec => new AttentionSpec(r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadBoolean(), r.ReadInt32()),
            Tag.GptSpec => new GptSpec(r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadBoolean(), r.ReadEnum<Activation>(),
                r.ReadSingle(), r.ReadSingle(), r.ReadBoolean(), r.ReadInt32()),
            Tag.BlockSpec => new BlockSpec(r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadBoolean(), r.ReadEnum<Activation>(), r.ReadSingle(), r.ReadInt32()),
            Tag.LayerNormSpec => new LayerNormSpec(r.ReadInt32(), r.ReadSingle(), r.ReadBoolean()),
            Tag.Tensor => ReadTensor(r),
            Tag.ShardState => ReadShardState(r),
            Tag.Forward => new Forward(r.ReadString(), ReadTensor(r)),
            Tag.Backward => new Backward(r.ReadString(), ReadTensor(r)),
            Tag.TensorReply => new TensorReply(r.ReadInt32(), ReadTensor(r)),
            Tag.ParametersReply => new ParametersReply(r.ReadInt32(), r.ReadList(r2 => new ParameterShard(r2.ReadString(), ReadTensorAfterAxis(r2, out var axis), ReadTensor(r2), axis))),
            Tag.GetCollectiveEndpoint => GetCollectiveEndpoint.Instance,
            Tag.CollectiveEndpoint => ReadEndpoint(r),
            Tag.JoinGroup => new JoinGroup(r.ReadString(), r.ReadList(ReadEndpoint), r.ReadOptional()),
            Tag.RankDone => new RankDone(r.ReadInt32()),
            Tag.GetBackendDescription => GetBackendDescription.Instance,
            Tag.RankSettings => new RankSettings(r.ReadEnum<BackendKind>(), r.ReadInt32(), new TimeSpan(r.ReadInt64()),
                new CollectiveSettings(new TimeSpan(r.ReadInt64()), new TimeSpan(r.ReadInt64()), r.ReadInt32(), r.ReadInt32(), r.ReadInt32In(0, 1_000_000, "A count of recorded collectives per phase"))),
            Tag.TimeCollective => new TimeCollective(r.ReadString(), r.ReadEnum<CollectiveOperation>(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32()),
            Tag.OpenRawSink => new OpenRawSink(r.ReadInt64(), r.ReadInt32()),
            Tag.TimeRawSend => new TimeRawSend(r.ReadString(), r.ReadInt64(), r.ReadInt32(), r.ReadInt32()),
            _ => throw new System.Runtime.Serialization.SerializationException($"Unknown TpActors message tag {(byte)tag}."),
        };
    }

    // A phase's request whose phase is the round's: a mismatch is refused, as any nonsense is.
    private RunPhase ReadRunPhase(BinaryReader r)
    {
        var round = ReadRound(r);
        var request = ReadAs<PhaseRequest>(r);
        var fault = ReadFault(r);
        if (request.Phase != round.Phase) throw new System.Runtime.Serialization.SerializationException($"A {request.GetType().Name} arrived for {round}.");
        return new RunPhase(round, request, fault);
    }

    // The next value, which must be a T.
    private T ReadAs<T>(BinaryReader r) where T : class => Read(r) as T
        ?? throw new System.Runtime.Serialization.SerializationException($"Expected a {typeof(T).Name} in the message.");

    // The next value, which must be null or a T.
    private T? ReadOptionalAs<T>(BinaryReader r) where T : class => Read(r) switch
    {
        null => null,
        T value => value,
        var other => throw new System.Runtime.Serialization.SerializationException($"Expected a {typeof(T).Name} in the message, not a {other.GetType().Name}."),
    };

    // A snapshot buffer lives in the supervisor's memory: it is never lent to a rank in another process.
    private static void RequireNoLoan(SnapshotInto into)
    {
        if (into.Reuse is not null) throw new ArgumentException("A snapshot buffer cannot be lent to a rank in another process.");
    }

    // A tensor: rank, rows, columns, then its floats. Only in a bulk-lane ticket's body (tensors never go over Akka.Remote).
    private void WriteTensor(BinaryWriter w, Tensor tensor)
    {
        RequireTensors(tensor);
        w.Write(tensor.Rank);
        w.Write(tensor.Rows);
        w.Write(tensor.Cols);
        var contiguous = tensor.IsContiguous ? tensor : tensor.Clone();
        w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(contiguous.Span));
        if (!ReferenceEquals(contiguous, tensor)) contiguous.Dispose();
    }

    private void RequireTensors(object value)
    {
        if (!tensors) throw new ArgumentException($"A {value.GetType().Name} carries tensors, which never ride on Akka.Remote: it travels to another process as a BulkLaneTicket over the bulk lane.");
    }

    private Tensor ReadTensor(BinaryReader r)
    {
        if (!tensors) throw new System.Runtime.Serialization.SerializationException("A tensor arrived over Akka.Remote.");
        int rank = r.ReadInt32(), rows = r.ReadInt32(), cols = r.ReadInt32();
        long bytes = (long)rows * cols * sizeof(float);
        if (!Tensor.IsShape(rank, rows, cols) || bytes > r.BaseStream.Length - r.BaseStream.Position)
            throw new System.Runtime.Serialization.SerializationException($"A tensor of rank {rank} and shape {rows} x {cols} does not fit the {r.BaseStream.Length} bytes it came in.");
        var tensor = Tensor.Uninitialized(rank, rows, cols);
        r.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(tensor.Span));
        return tensor;
    }

    private Tensor ReadTensorAfterAxis(BinaryReader r, out ShardAxis axis)
    {
        axis = r.ReadEnum<ShardAxis>();
        return ReadTensor(r);
    }

    private static void WriteLayout(BinaryWriter w, IReadOnlyList<ShardTensorLayout> layout) =>
        w.WriteList(layout, (w2, l) => { w2.Write(l.Name); w2.Write((int)l.Axis); w2.Write(l.Rank); w2.Write(l.Rows); w2.Write(l.Cols); });

    private static List<ShardTensorLayout> ReadLayout(BinaryReader r) =>
        r.ReadList(r2 => new ShardTensorLayout(r2.ReadString(), r2.ReadEnum<ShardAxis>(), r2.ReadInt32(), r2.ReadInt32(), r2.ReadInt32()));

    private ShardState ReadShardState(BinaryReader r)
    {
        long step = r.ReadInt64();
        var tensors = r.ReadList(r2 => new ShardTensor(r2.ReadString(), r2.ReadEnum<ShardAxis>(), ReadTensor(r2)));
        return new ShardState(step, tensors);
    }

    // A fault the supervisor injects into a rank on a host: present, then rank, step, phase and kind.
    private static void WriteFault(BinaryWriter w, FaultSpec? fault)
    {
        w.Write(fault is not null);
        if (fault is null) return;
        w.Write(fault.Rank); w.Write(fault.Step); w.Write((int)fault.Phase); w.Write((int)fault.Kind);
    }

    private static FaultSpec? ReadFault(BinaryReader r) =>
        r.ReadBoolean() ? new FaultSpec(r.ReadInt32(), r.ReadInt64(), r.ReadEnum<TrainingPhase>(), r.ReadEnum<FaultKind>()) : null;

    private static void WriteRound(BinaryWriter w, PhaseRound round)
    {
        w.Write(round.Attempt);
        w.Write(round.Step);
        w.Write((int)round.Phase);
    }

    private static PhaseRound ReadRound(BinaryReader r) => new(r.ReadInt64(), r.ReadInt64(), r.ReadEnum<TrainingPhase>());

    private static void WriteProfile(BinaryWriter w, PhaseProfile? profile)
    {
        w.Write(profile is not null);
        if (profile is null) return;
        w.Write(profile.GemmFlops);
        w.Write(profile.GemmTicks);
        w.WriteList(profile.Collectives, (w2, c) =>
        {
            w2.Write((int)c.Operation);
            w2.Write((int)c.Link);
            w2.Write(c.Ranks);
            w2.Write(c.Bytes);
            w2.Write(c.StartTicks);
            w2.Write(c.ElapsedTicks);
        });
        w.Write(profile.CollectivesDropped);
    }

    private static PhaseProfile? ReadProfile(BinaryReader r) => !r.ReadBoolean() ? null : new PhaseProfile(r.ReadInt64(), r.ReadInt64(),
        r.ReadList(r2 => new CollectiveSpan(r2.ReadEnum<CollectiveOperation>(), r2.ReadEnum<CollectiveLinkKind>(), r2.ReadInt32In(1, int.MaxValue, "A group size"),
            r2.ReadInt64(), r2.ReadInt64(), r2.ReadInt64())),
        r.ReadInt32In(0, int.MaxValue, "A count of dropped collectives"));

    private void WriteEndpoint(BinaryWriter w, CollectiveEndpoint endpoint)
    {
        w.WriteActor(endpoint.Rank);
        w.Write(endpoint.Instance);
        w.WriteOptional(endpoint.Lane);
    }

    private CollectiveEndpoint ReadEndpoint(BinaryReader r) => new(r.ReadActor(system), r.ReadInt64(), r.ReadOptional());

    private static void WriteSetup(BinaryWriter w, TrainingSetup setup)
    {
        var (model, optimizer, task) = (setup.Model, setup.Optimizer, setup.Task);
        w.Write(ModelSpecJson.ToJson(model));
        w.Write((int)optimizer.Kind); w.Write(optimizer.LearningRate); w.Write(optimizer.Momentum); w.Write(optimizer.Beta1);
        w.Write(optimizer.Beta2); w.Write(optimizer.Epsilon); w.Write(optimizer.WeightDecay);
        w.Write(optimizer.WarmupSteps); w.Write(optimizer.DecaySteps); w.Write(optimizer.MinLearningRate); w.Write(optimizer.GradientClip);
        w.Write(task.Batch); w.Write(task.Seed); w.Write(task.TeacherWidth);
    }

    private static TrainingSetup ReadSetup(BinaryReader r) => new(
        ReadModel(r.ReadString()),
        new OptimizerSpec(r.ReadEnum<OptimizerKind>(), r.ReadSingle(), r.ReadSingle(), r.ReadSingle(), r.ReadSingle(), r.ReadSingle(), r.ReadSingle())
        {
            WarmupSteps = r.ReadInt64(), DecaySteps = r.ReadInt64(), MinLearningRate = r.ReadSingle(), GradientClip = r.ReadSingle(),
        },
        new TaskSpec(r.ReadInt32(), r.ReadInt64(), r.ReadInt32()));

    // A model spec, read through its kind (see ModelSpecJson); nonsense is refused as any other.
    private static ModelSpec ReadModel(string json)
    {
        try
        {
            return ModelSpecJson.FromJson(json);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new System.Runtime.Serialization.SerializationException($"The model in the message is not a model spec: {e.Message}");
        }
    }
}
