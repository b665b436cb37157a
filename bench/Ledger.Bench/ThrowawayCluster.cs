using Ledger.LocalPostgres;

namespace Ledger.Bench;

/// <summary>
/// A database for one benchmark run: a PostgreSQL cluster in a temp folder, durable (fsync and synchronous commit on,
/// so figures are what a real node can promise), deleted when disposed.
/// </summary>
public sealed class ThrowawayCluster : IAsyncDisposable
{
    private readonly LocalPostgresCluster _cluster;

    private ThrowawayCluster(LocalPostgresCluster cluster, PostgresBinaries binaries)
    {
        _cluster = cluster;
        Binaries = binaries;
    }

    public PostgresBinaries Binaries { get; }

    public string Folder => _cluster.Folder;

    public string ConnectionString => _cluster.ConnectionString("bench");

    public int Port => _cluster.Port ?? throw new InvalidOperationException("The cluster is not running.");

    /// <summary>The superuser's password file (PGPASSFILE), for PostgreSQL's own tools: the cluster takes no connection without it (ADR/0023).</summary>
    public string PasswordFile => _cluster.PasswordFile;

    /// <summary>Another database on the same cluster (e.g. pgbench's own), returning its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await _cluster.CreateDatabaseIfMissingAsync(name);
        return _cluster.ConnectionString(name);
    }

    /// <param name="countStatements">Loads pg_stat_statements, so a run can say which statements its transactions were made of.</param>
    public static async Task<ThrowawayCluster> StartAsync(string name, bool countStatements = false)
    {
        var binaries = PostgresBinaries.Find()
            ?? throw new InvalidOperationException("PostgreSQL binaries not found: apt-get install postgresql, or set LEDGER_BENCH_POSTGRES.");
        var cluster = new ThrowawayCluster(new LocalPostgresCluster(Path.Combine(Path.GetTempPath(), $"ledger-bench-{name}-{Guid.NewGuid():N}"), binaries), binaries);
        try
        {
            await cluster._cluster.InitialiseAsync(durable: true);
            // Reaction lag is read from commit timestamps (ProjectionLagProbe.ReactionLagsAsync).
            await File.AppendAllLinesAsync(Path.Combine(cluster._cluster.DataFolder, "postgresql.conf"), ["track_commit_timestamp = on"]);
            if (countStatements)
                await File.AppendAllLinesAsync(Path.Combine(cluster._cluster.DataFolder, "postgresql.conf"),
                    ["shared_preload_libraries = 'pg_stat_statements'", "pg_stat_statements.track_utility = on", "pg_stat_statements.max = 1000"]);
            await cluster._cluster.StartAsync();
            await cluster._cluster.CreateDatabaseIfMissingAsync("bench");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync() => await _cluster.DeleteAsync();
}
