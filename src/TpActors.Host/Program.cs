using TpActors.Host;

StartupProfile.Start();
return TpActorsCli.Run(args, Console.Out, Console.Error);
