using Ledger.LocalPostgres;
using Npgsql;
using Xunit;

namespace Ledger.IntegrationTests.CommandLine;

/// <summary>
/// <c>ledger up</c> on its own managed cluster (issue 18, ADR/0023): a cluster an older ledger made trusting every local
/// connection gets a password on the next <c>up</c>, its data kept; a connection without the password is refused; the
/// password is in no process environment; and every command that reaches the database or the API still works.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes and /proc: the ledger runs on Linux
public sealed class LocalUpManagedClusterTests : IAsyncLifetime
{
    private readonly string _home = Path.Combine(Path.GetTempPath(), $"ledger-up-pg-{Guid.NewGuid():N}");
    private readonly string _url = $"http://127.0.0.1:{RunningLedger.FreePort()}";
    private LocalPostgresCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_home);
        // The cluster as a ledger before ADR/0023 left it under .ledger/pg: trusting loopback, with the ledger's database in it.
        _cluster = new LocalPostgresCluster(Path.Combine(_home, "pg"), PostgresBinaries.Find()
            ?? throw new InvalidOperationException("PostgreSQL binaries not found: apt-get install postgresql."));
        await _cluster.InitialiseAsync(durable: false);
        await _cluster.StartAsync();
        await _cluster.CreateDatabaseIfMissingAsync("ledger");
        await ExecuteAsync(_cluster.ConnectionString("ledger"), "create table kept_from_before (what text); insert into kept_from_before values ('quote-42 accepted')");
        await _cluster.StopAsync();
    }

    public async Task DisposeAsync()
    {
        await LedgerAsync("down"); // the API, the simulator and the cluster this test's `up` started, by their pid files
        await _cluster.StopAsync();
        Directory.Delete(_home, recursive: true);
    }

    [Fact]
    public async Task Ledger_up_gives_a_trusting_cluster_a_password_and_every_command_still_connects()
    {
        var up = await LedgerAsync("up");
        Assert.True(up.ExitCode == 0, up.Output);
        Assert.Contains("trusted every local connection", up.Output); // then the password file (the line wraps at the console width)
        Assert.Contains("reused cluster", up.Output);

        // No way in without the password; with the password file, the data from before is there.
        Assert.False(_cluster.TrustsLocalConnections);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_cluster.PasswordFile));
        var passwordless = new NpgsqlConnectionStringBuilder(_cluster.ConnectionString("ledger")) { Passfile = null, Pooling = false }.ConnectionString;
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => ExecuteAsync(passwordless, "select 1"));
        Assert.Equal("quote-42 accepted", await ScalarAsync(_cluster.ConnectionString("ledger"), "select what from kept_from_before"));

        // The password is in no output and not in the API's environment, which names only the file.
        var password = (await File.ReadAllTextAsync(_cluster.PasswordFile)).Trim().Split(':')[^1];
        var environment = await File.ReadAllTextAsync($"/proc/{(await File.ReadAllTextAsync(Path.Combine(_home, "api.pid"))).Trim()}/environ");
        Assert.DoesNotContain(password, environment);
        Assert.DoesNotContain(password, up.Output);
        Assert.Contains(_cluster.PasswordFile, environment);

        // The API writes through its password file; the commands that open the store themselves read through theirs.
        var demo = await LedgerAsync("demo", "--quotes", "4");
        Assert.True(demo.ExitCode == 0, demo.Output);
        foreach (var command in new[] { new[] { "timeline", "Q-SA-001" }, ["verify", "--all"], ["anchor"], ["projections"], ["status"] })
        {
            var run = await LedgerAsync(command);
            Assert.True(run.ExitCode == 0, $"ledger {string.Join(' ', command)}: {run.Output}");
            Assert.DoesNotContain(password, run.Output);
        }
        Assert.Contains("quote-drafted", (await LedgerAsync("timeline", "Q-SA-001", "--format", "json")).Output);

        // A second `up` (the API running) has nothing to upgrade and says so by saying nothing.
        var again = await LedgerAsync("up");
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.DoesNotContain("password", again.Output);
    }

    private Task<(int ExitCode, string Output)> LedgerAsync(params string[] arguments) => LedgerCommand.RunAsync(_home, _url, arguments);

    private static async Task ExecuteAsync(string connectionString, string sql) => await ScalarAsync(connectionString, sql);

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
