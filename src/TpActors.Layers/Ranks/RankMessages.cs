using TpActors.Runtime.Cluster;
using TpActors.Layers.Parallel;
using TpActors.Layers.Tensors;
using Akka.Actor;
using TpActors.Layers.Collectives;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Ranks;

/// <summary>Asks a rank where its peers send collective messages; the reply is its <see cref="CollectiveEndpoint"/>.</summary>
public sealed record GetCollectiveEndpoint : ILayersMessage
{
    /// <summary>The one instance.</summary>
    public static GetCollectiveEndpoint Instance { get; } = new();
}

/// <summary>
/// Joins the rank to a group: <paramref name="Endpoints"/> are the members' collective endpoints, by rank; replies that
/// carry tensors go to <paramref name="ReplyLane"/> (the group's process) by <see cref="BulkLaneTicket"/> when that is another
/// process. Reply: <see cref="RankDone"/>.
/// </summary>
public sealed record JoinGroup(string Group, IReadOnlyList<CollectiveEndpoint> Endpoints, string? ReplyLane = null) : ILayersMessage;

/// <summary>Builds this rank's part of a layer under <paramref name="Name"/> in tensor-parallel group <paramref name="Group"/>. Reply: <see cref="RankDone"/>.</summary>
public sealed record CreateLayer(string Name, string Group, LayerSpec Spec, long Seed);

/// <summary>Runs a layer's forward on <paramref name="Input"/> (which now belongs to the rank). Reply: <see cref="TensorReply"/> with the output.</summary>
public sealed record Forward(string Layer, Tensor Input);

/// <summary>Runs a layer's backward on <paramref name="GradOutput"/> (which now belongs to the rank). Reply: <see cref="TensorReply"/> with the input gradient.</summary>
public sealed record Backward(string Layer, Tensor GradOutput);

/// <summary>Asks how many bytes a layer keeps on the rank between its forward and its backward (<see cref="Parallel.IParallelLayer.SavedBytes"/>). Reply: a long.</summary>
public sealed record GetSavedBytes(string Layer);

/// <summary>Asks for copies of a layer's parameter shards and gradients. Reply: <see cref="ParametersReply"/>.</summary>
public sealed record GetParameters(string Layer);

/// <summary>
/// Runs <paramref name="Work"/> on the rank's own thread with its backend and group; the reply is what it returns (or
/// <see cref="RankDone"/> for null). For tests, benches and code embedding a group in its own process: it carries code, so it is
/// the one rank message that can never cross a process boundary. What the CLI and a training run send is plain data.
/// </summary>
public sealed record RunOnRank(string Group, Func<ParallelContext, object?> Work);

/// <summary>Asks a rank what its backend is, in words (<see cref="Tensors.IBackend.Description"/>); the reply is that string.</summary>
public sealed record GetBackendDescription : ILayersMessage
{
    /// <summary>The one instance.</summary>
    public static GetBackendDescription Instance { get; } = new();
}

/// <summary>Times <paramref name="Iterations"/> rounds of <paramref name="Operation"/> over <paramref name="Floats"/> floats in group <paramref name="Group"/> after <paramref name="Warmup"/> untimed ones (every rank must get it). Reply: the seconds, a double.</summary>
public sealed record TimeCollective(string Group, CollectiveOperation Operation, int Floats, int Iterations, int Warmup) : ILayersMessage;

/// <summary>Opens a raw TCP sink in the rank's process for <paramref name="Transfers"/> transfers of <paramref name="Bytes"/> (the bulk lane's baseline). Reply: its address, a string.</summary>
public sealed record OpenRawSink(long Bytes, int Transfers) : ILayersMessage;

/// <summary>Sends <paramref name="Transfers"/> raw TCP transfers of <paramref name="Bytes"/> to the sink at <paramref name="Address"/>. Reply: the seconds the last <paramref name="Timed"/> took, a double.</summary>
public sealed record TimeRawSend(string Address, long Bytes, int Transfers, int Timed) : ILayersMessage;

/// <summary>A command finished and has nothing to return.</summary>
public sealed record RankDone(int Rank) : ILayersMessage;

/// <summary>A tensor computed by a rank; it belongs to the receiver.</summary>
public sealed record TensorReply(int Rank, Tensor Tensor);

/// <summary>Copies of a rank's parameter shards (values and gradients); they belong to the receiver.</summary>
public sealed record ParametersReply(int Rank, IReadOnlyList<ParameterShard> Parameters);

/// <summary>Asks a <see cref="TensorParallelGroupActor"/> for its ranks; answered with <see cref="GroupRanks"/> once every rank has joined.</summary>
public sealed record GetGroupRanks
{
    /// <summary>The one instance.</summary>
    public static GetGroupRanks Instance { get; } = new();
}

/// <summary>A group's rank actors and their collective endpoints, by rank, every one joined to collective group <paramref name="Group"/> and ready for commands.</summary>
public sealed record GroupRanks(string Group, IReadOnlyList<IActorRef> Ranks, IReadOnlyList<CollectiveEndpoint> Endpoints);
