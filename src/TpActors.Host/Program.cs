using TpActors.Host;

StartupProfile.Start(args);
return TpActorsCli.Run(args, Console.Out, Console.Error);
