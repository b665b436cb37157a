using JasperFx;
using Ledger.Api;

// `dotnet Ledger.Api.dll codegen write` (what `./ledger codegen` runs) writes Wolverine's handler and endpoint adapters into
// Internal/Generated, the code the API loads instead of compiling it at start (ADR/0004). Any other arguments run the API.
if (args is ["codegen", ..]) return await LedgerApi.Build([]).RunJasperFxCommands(args);
await LedgerApi.Build(args).RunAsync();
return 0;
