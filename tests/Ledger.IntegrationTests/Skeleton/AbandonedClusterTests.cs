using System.Diagnostics;
using Ledger.LocalPostgres;
using Ledger.Testing;
using Xunit;

namespace Ledger.IntegrationTests.Skeleton;

/// <summary>
/// A killed test process cannot delete its throwaway cluster; the next one that starts a cluster does (they once filled
/// this machine's disk). Only clusters whose owner is gone go: a running test's cluster is never touched.
/// </summary>
public sealed class AbandonedClusterTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"abandoned-clusters-{Guid.NewGuid():N}");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_cluster_whose_test_process_is_gone_is_deleted_and_a_live_ones_cluster_is_kept()
    {
        var binaries = PostgresBinaries.Find() ?? throw new InvalidOperationException("PostgreSQL binaries not found.");
        // A real, started cluster left by a process that has since exited, as a killed test host leaves it.
        var gone = await ClusterOwnedByAsync("gone", await ExitedProcessOwnerAsync(), binaries);
        await gone.StartAsync();
        Assert.True(await gone.IsRunningAsync());
        var live = await ClusterOwnedByAsync("live", TestPostgres.OwnerOf(Environment.ProcessId), binaries);
        var unowned = Directory.CreateDirectory(Path.Combine(_folder, $"{TestPostgres.ClusterPrefix}recent")).FullName;

        var deleted = await TestPostgres.DeleteAbandonedClustersAsync(_folder, binaries);

        Assert.Equal([gone.Folder], deleted);
        Assert.False(Directory.Exists(gone.Folder));
        Assert.True(Directory.Exists(live.Folder));
        // Without an owner file, only an old one counts as abandoned: a cluster being created has none yet.
        Assert.True(Directory.Exists(unowned));
    }

    private async Task<LocalPostgresCluster> ClusterOwnedByAsync(string name, string owner, PostgresBinaries binaries)
    {
        var cluster = new LocalPostgresCluster(Path.Combine(_folder, $"{TestPostgres.ClusterPrefix}{name}"), binaries);
        await cluster.InitialiseAsync(durable: false);
        await File.WriteAllTextAsync(Path.Combine(cluster.Folder, TestPostgres.OwnerFile), owner);
        return cluster;
    }

    /// <summary>The owner line of a process that ran and exited (its id is free, or reused by a process started later).</summary>
    private static async Task<string> ExitedProcessOwnerAsync()
    {
        using var process = Process.Start("sleep", "30") ?? throw new InvalidOperationException("Could not start 'sleep'.");
        var owner = TestPostgres.OwnerOf(process.Id);
        process.Kill();
        await process.WaitForExitAsync();
        return owner;
    }

    [Fact]
    public async Task A_running_process_reads_as_the_same_owner_every_time()
    {
        // Read twice, apart: an owner that drifted (as .NET's Process.StartTime does) made live clusters look abandoned.
        var first = TestPostgres.OwnerOf(Environment.ProcessId);
        await Task.Delay(50);
        Assert.Equal(first, TestPostgres.OwnerOf(Environment.ProcessId));
        Assert.StartsWith($"{Environment.ProcessId} ", first);
    }

    public async Task DisposeAsync()
    {
        var binaries = PostgresBinaries.Find()!;
        foreach (var folder in Directory.EnumerateDirectories(_folder)) await new LocalPostgresCluster(folder, binaries).DeleteAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
