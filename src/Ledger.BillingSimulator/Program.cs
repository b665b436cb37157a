using Ledger.BillingSimulator;

await BillingSimulatorApp.Build(args).RunAsync();
