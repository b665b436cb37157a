using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Ledger.Api.About;

public sealed record AboutLedger(string Name, string Version, string EventStore);

public static class AboutEndpoint
{
    /// <summary>What this ledger is and which event store it writes to.</summary>
    [WolverineGet("/about"), AllowAnonymous]
    public static AboutLedger Get(LedgerSettings settings) =>
        new("Ledger", typeof(AboutEndpoint).Assembly.GetName().Version?.ToString() ?? "0.0.0",
            settings.UsesEventStoreDb ? "eventstoredb" : "postgres");
}
