using TpActors.Host;

return TpActorsCli.Run(args, Console.Out, Console.Error);
