using Brisa.Cli;

using var cancellation = ConsoleCancellation.Install();
return await BrisaApp.Create().RunAsync(args, cancellation.Token);
