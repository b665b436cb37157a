using Ledger.LocalPostgres;
using Npgsql;

namespace Ledger.Testing;

/// <summary>
/// The PostgreSQL server for a test run: the one <c>LEDGER_TEST_POSTGRES</c> names, or else a throwaway
/// cluster started once per test assembly from the installed binaries on a free port and deleted when
/// the process exits. Each test class takes a fresh database of its own, so classes never see each
/// other's rows and can run in parallel.
/// </summary>
public static class TestPostgres
{
    private static readonly Lazy<Task<Server>> Shared = new(StartAsync);
    private static int _databases;

    /// <summary>A connection string to a new, empty database on the shared server.</summary>
    public static async Task<string> CreateDatabaseAsync(string purpose)
    {
        var server = await Shared.Value;
        var name = $"test_{Sanitise(purpose)}_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        await using (var connection = new NpgsqlConnection(server.ConnectionString("postgres")))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"create database \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        return server.ConnectionString(name);
    }

    /// <summary>The throwaway cluster itself, for tests that stop and start the server.</summary>
    public static async Task<LocalPostgresCluster> ThrowawayClusterAsync(string purpose)
    {
        var binaries = PostgresBinaries.Find()
            ?? throw new InvalidOperationException("PostgreSQL binaries not found: apt-get install postgresql (or set LEDGER_TEST_POSTGRES).");
        var cluster = new LocalPostgresCluster(
            Path.Combine(Path.GetTempPath(), $"ledger-test-{Sanitise(purpose)}-{Guid.NewGuid():N}"), binaries);
        await cluster.InitialiseAsync(durable: false);
        return cluster;
    }

    private static async Task<Server> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("LEDGER_TEST_POSTGRES") is { Length: > 0 } configured)
            return new Server(database => new NpgsqlConnectionStringBuilder(configured) { Database = database }.ConnectionString);

        var cluster = await ThrowawayClusterAsync("shared");
        await cluster.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.DeleteAsync().GetAwaiter().GetResult();
        return new Server(cluster.ConnectionString);
    }

    private static string Sanitise(string purpose) =>
        new string(purpose.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(30).ToArray());

    private sealed record Server(Func<string, string> ConnectionString);
}
