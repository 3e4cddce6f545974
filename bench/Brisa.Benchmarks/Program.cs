using Brisa.Benchmarks;

return BenchmarkProgram.Run(args, Console.Out);
