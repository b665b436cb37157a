using Ledger.LocalPostgres;
using Npgsql;
using Xunit;

namespace Ledger.IntegrationTests.Skeleton;

/// <summary>
/// The durable cluster <c>ledger up</c> manages lets in only its superuser, with the password in its owner-only password
/// file (ADR/0023, issue 18); a cluster made trusting by an older ledger is upgraded with its data kept.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes: the ledger runs on Linux
public sealed class ManagedPostgresPasswordTests : IAsyncLifetime
{
    private readonly LocalPostgresCluster _cluster = new(
        Path.Combine(Path.GetTempPath(), $"ledger-test-password-{Guid.NewGuid():N}"),
        PostgresBinaries.Find() ?? throw new InvalidOperationException("PostgreSQL binaries not found: apt-get install postgresql."));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _cluster.DeleteAsync();

    [Fact]
    public async Task A_durable_cluster_refuses_a_connection_without_its_password()
    {
        await _cluster.InitialiseAsync(durable: true);
        await _cluster.StartAsync();
        await _cluster.CreateDatabaseIfMissingAsync("ledger");

        Assert.Equal("ledger", await ScalarAsync(_cluster.ConnectionString("ledger"), "select current_user"));
        Assert.False(_cluster.TrustsLocalConnections);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_cluster.PasswordFile));
        var password = (await File.ReadAllTextAsync(_cluster.PasswordFile)).Trim().Split(':')[^1];
        Assert.Equal(64, password.Length);
        Assert.DoesNotContain(password, _cluster.ConnectionString("ledger"));
        Assert.False(File.Exists(Path.Combine(_cluster.Folder, "initdb.pw")), "initdb's copy of the password was left behind");
        Assert.DoesNotContain("trust", await File.ReadAllTextAsync(Path.Combine(_cluster.DataFolder, "pg_hba.conf")));

        await AssertRefusedWithoutPasswordAsync();
        var wrong = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(WithPassword("not-the-password"), "select 1"));
        Assert.Equal(PostgresErrorCodes.InvalidPassword, wrong.SqlState);

        // The password survives a restart, and so does the refusal.
        await _cluster.StopAsync();
        await _cluster.StartAsync();
        NpgsqlConnection.ClearAllPools();
        Assert.Equal(1, await ScalarAsync(_cluster.ConnectionString("ledger"), "select 1"));
        await AssertRefusedWithoutPasswordAsync();
    }

    [Fact]
    public async Task A_cluster_made_trusting_gets_a_password_and_keeps_its_data()
    {
        // What an older `ledger up` made: pg_hba trusting loopback, no password file.
        await _cluster.InitialiseAsync(durable: false);
        await _cluster.StartAsync();
        await _cluster.CreateDatabaseIfMissingAsync("ledger");
        await ScalarAsync(_cluster.ConnectionString("ledger"), "create table kept (what text); insert into kept values ('quote-42 accepted')");
        Assert.True(_cluster.TrustsLocalConnections);
        Assert.Equal(1, await ScalarAsync(WithPassword(null), "select 1"));

        Assert.True(await _cluster.RequirePasswordAsync());
        Assert.False(await _cluster.RequirePasswordAsync()); // the next `ledger up` has nothing to do

        Assert.False(_cluster.TrustsLocalConnections);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_cluster.PasswordFile));
        Assert.Equal("quote-42 accepted", await ScalarAsync(_cluster.ConnectionString("ledger"), "select what from kept"));
        await AssertRefusedWithoutPasswordAsync();
    }

    /// <summary>The server reloads pg_hba on a signal, a moment after it is asked to: wait generously for the refusal.</summary>
    private async Task AssertRefusedWithoutPasswordAsync()
    {
        Exception? refusal = null;
        for (var deadline = DateTime.UtcNow.AddMinutes(1); refusal is null && DateTime.UtcNow < deadline;)
        {
            try
            {
                await ScalarAsync(WithPassword(null), "select 1");
                await Task.Delay(250);
            }
            catch (NpgsqlException e)
            {
                refusal = e;
            }
        }
        Assert.NotNull(refusal);
        // Either Npgsql has no password to answer the server's SCRAM challenge with, or the server refuses the empty one.
        Assert.True(refusal is PostgresException { SqlState: PostgresErrorCodes.InvalidPassword } || refusal.Message.Contains("password", StringComparison.OrdinalIgnoreCase),
            refusal.ToString());
    }

    /// <summary>The cluster's connection string without its password file, with <paramref name="password"/> instead.</summary>
    private string WithPassword(string? password) =>
        new NpgsqlConnectionStringBuilder(_cluster.ConnectionString("ledger")) { Passfile = null, Password = password, Pooling = false }.ConnectionString;

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
