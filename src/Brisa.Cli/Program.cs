using Brisa.Cli;

using var cancellation = ConsoleCancellation.Install();
return await BrisaApp.Create(stopping: cancellation.Token).RunAsync(args, cancellation.Token);
