namespace TpActors.Layers.Tests.UserActors;

// The README's example: a user's own actor owns a tensor-parallel group and drives a forward and a backward through it.
public sealed class MlpDriver : ReceiveActor
{
    public MlpDriver(IActorRef report)
    {
        var group = Context.ActorOf(TensorParallelGroupActor.Props(size: 2, RankSettings.Default), "tp");
        group.Tell(GetGroupRanks.Instance);                   // answered once both ranks have joined
        Receive<GroupRanks>(ready =>
        {
            var mlp = new MlpSpec(Hidden: 8, Ffn: 32, Bias: true, Activation.Gelu);
            foreach (var rank in ready.Ranks)                 // each rank runs its commands in order
            {
                rank.Tell(new CreateLayer("mlp", ready.Group, mlp, Seed: 42));
                rank.Tell(new Forward("mlp", Tensor.Zeros(4, 8)));
                rank.Tell(new Backward("mlp", Tensor.FromArray([.. Enumerable.Repeat(1f, 32)], 4, 8)));
            }
        });
        Receive<RankDone>(_ => { });                          // the layer is built
        Receive<TensorReply>(reply => report.Tell(reply));    // from each rank: Y [4, 8], then dX [4, 8]
    }
}
