using Ledger.Bench;

return await BenchCommand.RunAsync(args);
