using System.Net.Sockets;
using Npgsql;

namespace Ledger.EventStore;

/// <summary>The one test for "PostgreSQL cannot be reached": the API answers 503, the feed reconnects, reactions wait.</summary>
public static class DatabaseErrors
{
    /// <summary>A connection that could not be made or broke (the server went away, shut down, or refused), anywhere in the exception's chain.</summary>
    public static bool IsUnavailable(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is SocketException or TimeoutException
                || e is NpgsqlException { IsTransient: true }
                // Npgsql's "Connection is not open" after the server dropped a pooled connection mid-request.
                || e is InvalidOperationException { Source: "Npgsql" }
                // 57P: operator intervention (shutdown, crash, database dropped); 08: connection exceptions.
                || e is PostgresException p && (p.SqlState.StartsWith("57P", StringComparison.Ordinal) || p.SqlState.StartsWith("08", StringComparison.Ordinal)))
                return true;
        return false;
    }
}
