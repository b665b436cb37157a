using Ledger.EventStore;
using System.Net.Sockets;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace Ledger.Api.Problems;

/// <summary>
/// PostgreSQL unreachable (restarting, failing over, network gone): 503 problem details with Retry-After, not a 500.
/// Nothing was appended, so the client retries with the same idempotency key; Npgsql's pool recovers by itself.
/// </summary>
public sealed class DatabaseUnavailableHandler(ILogger<DatabaseUnavailableHandler> log) : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (!DatabaseErrors.IsUnavailable(exception) || context.Response.HasStarted) return false;
        log.LogWarning("PostgreSQL unavailable: {Message}", exception.GetBaseException().Message);
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString();
        await LedgerProblems.Write(context, StatusCodes.Status503ServiceUnavailable, "database.unavailable",
            $"The ledger's database cannot be reached; nothing was recorded. Retry with the same Idempotency-Key in {RetryAfterSeconds} s.");
        return true;
    }
}
