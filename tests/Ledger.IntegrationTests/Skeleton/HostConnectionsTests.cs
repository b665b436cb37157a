using Ledger.Testing;
using Npgsql;
using Xunit;

namespace Ledger.IntegrationTests.Skeleton;

/// <summary>
/// A stopped host leaves no connection behind: Marten once built a second data source of its own beside the one it was
/// given, never disposed, and every finished test host kept ten idle connections until the suite hit max_connections.
/// </summary>
public sealed class HostConnectionsTests
{
    [Fact]
    public async Task Stopping_the_host_closes_every_connection_it_opened()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync("hostconnections");
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        var ledger = await RunningLedger.StartAsync(connectionString);
        (await ledger.Http.GetAsync("/health")).EnsureSuccessStatusCode();
        Assert.True(await ConnectionsToAsync(connectionString, database) > 0, "the running host holds connections");

        await ledger.DisposeAsync();

        // Closing is asynchronous on the server's side: give it a while, then the count must be zero.
        var until = DateTime.UtcNow.AddSeconds(30);
        long left;
        while ((left = await ConnectionsToAsync(connectionString, database)) > 0 && DateTime.UtcNow < until) await Task.Delay(100);
        Assert.Equal(0, left);
    }

    private static async Task<long> ConnectionsToAsync(string connectionString, string database)
    {
        var admin = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("select count(*) from pg_stat_activity where datname = @database", connection);
        count.Parameters.AddWithValue("database", database);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
