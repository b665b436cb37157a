using Ledger.Testing;
using Xunit;

namespace Ledger.IntegrationTests.Skeleton;

/// <summary>
/// Two nodes starting at once on an empty database both migrate the schema: Marten serialises them with
/// the PostgreSQL advisory lock from DistributedLock.Postgres (the package our local stand-in resolves, ADR/0001).
/// </summary>
public sealed class SchemaMigrationLockTests
{
    [Fact]
    public async Task Two_hosts_starting_together_on_an_empty_database_both_come_up()
    {
        var database = await TestPostgres.CreateDatabaseAsync(nameof(SchemaMigrationLockTests));

        var starts = await Task.WhenAll(RunningLedger.StartAsync(database), RunningLedger.StartAsync(database));
        try
        {
            foreach (var ledger in starts)
                Assert.True((await ledger.Http.GetAsync("/health/ready")).IsSuccessStatusCode);
            Assert.True(await SchemaTables.CountAsync(starts[0].Services, "ledger") > 0);
        }
        finally
        {
            foreach (var ledger in starts) await ledger.DisposeAsync();
        }
    }
}
