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
        if (!IsUnavailable(exception) || context.Response.HasStarted) return false;
        log.LogWarning("PostgreSQL unavailable: {Message}", exception.GetBaseException().Message);
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString();
        await LedgerProblems.Write(context, StatusCodes.Status503ServiceUnavailable, "database.unavailable",
            $"The ledger's database cannot be reached; nothing was recorded. Retry with the same Idempotency-Key in {RetryAfterSeconds} s.");
        return true;
    }

    /// <summary>A connection that could not be made or broke (the server went away), anywhere in the exception's chain.</summary>
    public static bool IsUnavailable(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is SocketException or TimeoutException
                || e is NpgsqlException { IsTransient: true }
                // Npgsql's "Connection is not open" after the server dropped a pooled connection mid-request.
                || e is InvalidOperationException { Source: "Npgsql" }
                || e is PostgresException { SqlState: "57P01" or "57P02" or "57P03" or "08000" or "08003" or "08006" })
                return true;
        return false;
    }
}
