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
        await DeleteAbandonedClustersAsync(Path.GetTempPath(), binaries);
        var cluster = new LocalPostgresCluster(
            Path.Combine(Path.GetTempPath(), $"{ClusterPrefix}{Sanitise(purpose)}-{Guid.NewGuid():N}"), binaries);
        await cluster.InitialiseAsync(durable: false);
        await File.WriteAllTextAsync(Path.Combine(cluster.Folder, OwnerFile), OwnerOf(Environment.ProcessId));
        return cluster;
    }

    public const string ClusterPrefix = "ledger-test-";

    /// <summary>The test process a throwaway cluster belongs to: its id and start time (an id alone may be reused).</summary>
    public const string OwnerFile = "owner";

    /// <summary>
    /// Stops and deletes the throwaway clusters whose test process is gone. A process deletes its own when it exits, but
    /// one that is killed (a run cancelled, a test host aborted) cannot, and the clusters it left, up to gigabytes each,
    /// once filled this machine's disk. A cluster without an owner file (written before there was one) counts as abandoned
    /// after a day. Another process may be sweeping at the same time: what it got to first is skipped.
    /// </summary>
    public static async Task<IReadOnlyList<string>> DeleteAbandonedClustersAsync(string folder, PostgresBinaries binaries)
    {
        var deleted = new List<string>();
        foreach (var candidate in Directory.EnumerateDirectories(folder, $"{ClusterPrefix}*"))
        {
            var ownerFile = Path.Combine(candidate, OwnerFile);
            var abandoned = File.Exists(ownerFile)
                ? (await File.ReadAllTextAsync(ownerFile)).Trim() is var owner && int.TryParse(owner.Split(' ')[0], out var pid) && owner != OwnerOf(pid)
                : Directory.GetLastWriteTimeUtc(candidate) < DateTime.UtcNow.AddDays(-1);
            if (!abandoned) continue;
            try
            {
                await new LocalPostgresCluster(candidate, binaries).DeleteAsync();
                deleted.Add(candidate);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                // Being deleted by another sweep, or not a cluster after all: left alone.
            }
        }
        return deleted;
    }

    /// <summary>
    /// "pid start" of a running process, or "" when no process has that id. The start is the kernel's own count of clock
    /// ticks since boot (<c>/proc/[pid]/stat</c>, field 22), the same in every process that reads it: .NET's
    /// <c>Process.StartTime</c> is derived from the clock at the moment it is read and differs by milliseconds between
    /// readers, which made a live cluster look abandoned.
    /// </summary>
    public static string OwnerOf(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                // The name (field 2) is in parentheses and may hold spaces; the fields after it start with the state (field 3).
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return $"{pid} {fields[22 - 3]}";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return "";
            }
        }
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return process.HasExited ? "" : $"{pid}";
        }
        catch (ArgumentException)
        {
            return "";
        }
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
