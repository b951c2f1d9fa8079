using TpActors.Host;

JitProfile.Start(args);
return TpActorsCli.Run(args, Console.Out, Console.Error);
