using Npgsql;

namespace Ledger.Testing;

/// <summary>
/// The system of record a test ledger runs on: PostgreSQL (Marten) unless <c>LEDGER_TEST_ESDB</c> names an EventStoreDB
/// server, in which case every test ledger runs in EventStoreDB mode on it. The server is shared (other test runs, other
/// tools), so each ledger database gets a stream namespace of its own (<c>streamPrefix</c>, ADR/0006): this process's run,
/// then the database's name. Two nodes on one database share it; nothing else sees their streams.
/// </summary>
public static class TestEventStore
{
    public const string Variable = "LEDGER_TEST_ESDB";

    /// <summary>The ledger's own switch (<c>LedgerSettings.EventStoreVariable</c>; this project does not reference the API).</summary>
    public const string LedgerVariable = "LEDGER_EVENTSTORE";

    // A fresh run id per test process: database names repeat across runs (process ids are reused), streams on the server stay.
    private static readonly string Run = Guid.NewGuid().ToString("N")[..8];

    /// <summary>The EventStoreDB connection string of the run, or null when the run is on PostgreSQL.</summary>
    public static string? Server => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } server ? server.Trim() : null;

    public static bool IsEventStoreDb => Server is not null;

    /// <summary>Why a test that needs EventStoreDB does not run, for <c>Skip.If</c>.</summary>
    public const string SkipReason = $"{Variable} is not set: EventStoreDB mode needs a server (see ADR 0006)";

    /// <summary>
    /// <c>LEDGER_EVENTSTORE</c> for a ledger on the given PostgreSQL database: the server with this database's stream
    /// namespace, or null (PostgreSQL mode) when the run has no server.
    /// </summary>
    public static string? For(string postgresConnectionString) =>
        Server is { } server ? WithOption(server, "streamPrefix", Uri.EscapeDataString(PrefixFor(postgresConnectionString))) : null;

    /// <summary>The stream namespace of a ledger database in this run.</summary>
    public static string PrefixFor(string postgresConnectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(postgresConnectionString);
        return $"r{Run}.{builder.Host}.{builder.Port}.{builder.Database}.";
    }

    /// <summary>A connection string with one more option.</summary>
    public static string WithOption(string connectionString, string key, string value) =>
        $"{connectionString}{(connectionString.Contains('?') ? '&' : '?')}{key}={value}";
}
