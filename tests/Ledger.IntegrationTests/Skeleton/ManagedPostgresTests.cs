using System.Net;
using Ledger.LocalPostgres;
using Ledger.Testing;
using Npgsql;
using Xunit;

namespace Ledger.IntegrationTests.Skeleton;

/// <summary>The private cluster that <c>ledger up</c> manages: data survives restarts; readiness follows it.</summary>
public sealed class ManagedPostgresTests : IAsyncLifetime
{
    private LocalPostgresCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _cluster = await TestPostgres.ThrowawayClusterAsync(nameof(ManagedPostgresTests));
        await _cluster.StartAsync();
        await _cluster.CreateDatabaseIfMissingAsync("ledger");
    }

    public async Task DisposeAsync() => await _cluster.DeleteAsync();

    [Fact]
    public async Task Data_survives_a_restart_of_the_cluster()
    {
        await Execute("create table kept (id int primary key, what text); insert into kept values (1, 'quote-42 accepted')");
        var portBefore = _cluster.Port;

        await _cluster.StopAsync();
        Assert.False(await _cluster.IsRunningAsync());
        await _cluster.InitialiseAsync(); // a second `ledger up` keeps the existing cluster
        await _cluster.StartAsync();
        NpgsqlConnection.ClearAllPools(); // pooled connections died with the old server process

        Assert.Equal(portBefore, _cluster.Port);
        Assert.Equal("quote-42 accepted", await Scalar("select what from kept where id = 1"));
    }

    [Fact]
    public async Task Readiness_fails_while_postgres_is_down_and_recovers_after()
    {
        await using var ledger = await RunningLedger.StartAsync(_cluster.ConnectionString("ledger"));
        Assert.Equal(HttpStatusCode.OK, (await ledger.Http.GetAsync("/health/ready")).StatusCode);

        await _cluster.StopAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await ledger.Http.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ledger.Http.GetAsync("/health/live")).StatusCode);

        await _cluster.StartAsync();
        NpgsqlConnection.ClearAllPools();
        Assert.Equal(HttpStatusCode.OK, (await ledger.Http.GetAsync("/health/ready")).StatusCode);
    }

    private async Task Execute(string sql)
    {
        await using var connection = new NpgsqlConnection(_cluster.ConnectionString("ledger"));
        await connection.OpenAsync();
        await new NpgsqlCommand(sql, connection).ExecuteNonQueryAsync();
    }

    private async Task<object?> Scalar(string sql)
    {
        await using var connection = new NpgsqlConnection(_cluster.ConnectionString("ledger"));
        await connection.OpenAsync();
        return await new NpgsqlCommand(sql, connection).ExecuteScalarAsync();
    }
}
