using Ledger.Api;

await LedgerApi.Build(args).RunAsync();
