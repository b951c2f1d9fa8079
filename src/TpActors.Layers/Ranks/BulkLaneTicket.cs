using Akka.Actor;
using TpActors.Layers.Collectives;
using TpActors.Runtime.Cluster;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Ranks;

/// <summary>
/// The ticket of a message whose body travels on the bulk lane: a message that carries tensors (a forward's input, a rank's
/// reply with its output or parameters, a rank's training state) and goes to another process is sent as its bytes, a blob
/// under <paramref name="Ticket"/> on the receiver's lane, and this small ticket over Akka.Remote names it. A tensor never rides
/// on Akka.Remote. Between ranks and their driver in one process, messages are passed as they are.
/// </summary>
/// <param name="Ticket">The blob's ticket on the receiver's lane.</param>
/// <param name="Bytes">The blob's size.</param>
public sealed record BulkLaneTicket(long Ticket, long Bytes) : ILayersMessage
{
    /// <summary>Whether a message carries tensors, and so goes by bulk-lane ticket to another process.</summary>
    public static bool Carries(object? message) => message is Forward or Backward or TensorReply or ParametersReply or ShardState;

    /// <summary>Whether a receiver whose process's lane is <paramref name="lane"/> is in another process than <paramref name="transport"/>'s.</summary>
    public static bool IsRemote(string? lane, CollectiveTransport transport) => lane is not null && transport.Lane is { } own && own.Address != lane;

    /// <summary>
    /// <paramref name="message"/> as it should travel to a receiver whose process's lane is <paramref name="toLane"/>: itself
    /// when that is this process or it carries no tensors, else a ticket, its body sent to that lane now. The caller keeps
    /// the message's tensors either way.
    /// </summary>
    /// <exception cref="IOException">The receiver's lane cannot be reached.</exception>
    public static object Seal(object message, string? toLane, CollectiveTransport transport, ActorSystem system)
    {
        if (!Carries(message) || !IsRemote(toLane, transport)) return message;
        var bytes = BodySerializer(system).ToBinary(new BulkLaneBody(message));
        long ticket = Random.Shared.NextInt64();
        transport.Lane!.SendBlob(toLane!, ticket, bytes);
        return new BulkLaneTicket(ticket, bytes.Length);
    }

    /// <summary>
    /// <see cref="Seal"/> for a message whose tensors belong to the receiver: when it goes by ticket, the tensors here are
    /// disposed (the receiver gets its own copy from the lane); otherwise the message itself goes, tensors and all.
    /// </summary>
    public static object SealAndRelease(object message, string? toLane, CollectiveTransport transport, ActorSystem system)
    {
        var sealedMessage = Seal(message, toLane, transport, system);
        if (!ReferenceEquals(sealedMessage, message)) DisposeTensors(message);
        return sealedMessage;
    }

    // Disposes the tensors a message that Carries them holds.
    private static void DisposeTensors(object message)
    {
        switch (message)
        {
            case Forward forward: forward.Input.Dispose(); break;
            case Backward backward: backward.GradOutput.Dispose(); break;
            case TensorReply reply: reply.Tensor.Dispose(); break;
            case ShardState state: state.Dispose(); break;
            case ParametersReply parameters:
                foreach (var shard in parameters.Parameters)
                {
                    shard.Value.Dispose();
                    shard.Gradient.Dispose();
                }
                break;
        }
    }

    /// <summary>The message this ticket names, once its bytes have arrived on this process's lane; the caller owns its tensors.</summary>
    /// <exception cref="TimeoutException">The bytes did not arrive within the blob timeout.</exception>
    public async Task<object> OpenAsync(CollectiveTransport transport, ActorSystem system)
    {
        var lane = transport.Lane ?? throw new InvalidOperationException("A bulk-lane ticket arrived in a process without a bulk lane.");
        var bytes = await lane.Blobs.ClaimAsync(Ticket).ConfigureAwait(false);
        return ((BulkLaneBody)BodySerializer(system).FromBinary(bytes, typeof(BulkLaneBody))).Message;
    }

    // The serializer bound to BulkLaneBody under akka.actor.serialization-bindings (tensors allowed).
    private static Akka.Serialization.Serializer BodySerializer(ActorSystem system) => system.Serialization.FindSerializerForType(typeof(BulkLaneBody));
}

/// <summary>
/// The body of a <see cref="BulkLaneTicket"/>: the message it stands for, as written on the bulk lane by the serializer bound to
/// this type in reference.conf (the protocol's form, tensors allowed). Never sent as a message itself.
/// </summary>
/// <param name="Message">The message that carries tensors.</param>
public sealed record BulkLaneBody(object Message);
