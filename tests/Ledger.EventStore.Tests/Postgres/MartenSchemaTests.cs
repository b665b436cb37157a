using Ledger.EventStore.Marten;
using Ledger.Testing;
using Npgsql;
using Xunit;
using static Ledger.EventStore.Tests.TestEvents;

namespace Ledger.EventStore.Tests.Postgres;

/// <summary>
/// Marten migrates the schema under a PostgreSQL advisory lock from DistributedLock.Postgres (our local
/// stand-in package resolves it, ADR/0001): two nodes starting on one empty database must both succeed.
/// </summary>
public sealed class MartenSchemaTests
{
    [Fact]
    public async Task Two_stores_applying_the_schema_at_once_on_an_empty_database_both_succeed()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync(nameof(MartenSchemaTests));
        using var first = LedgerMarten.CreateStore(connectionString, Serializer);
        using var second = LedgerMarten.CreateStore(connectionString, Serializer);

        await Task.WhenAll(
            Task.Run(() => SchemaMigration.ApplyAsync(first)),
            Task.Run(() => SchemaMigration.ApplyAsync(second)));

        // Nothing left to change: Marten keeps our unique index on mt_events(id) rather than dropping it.
        await first.Storage.Database.AssertDatabaseMatchesConfigurationAsync();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using (var index = dataSource.CreateCommand(
                         "select indexdef from pg_indexes where schemaname = 'ledger' and indexname = @name"))
        {
            index.Parameters.AddWithValue("name", "ledger_mt_events_id_unique");
            Assert.Contains("UNIQUE INDEX", (string?)await index.ExecuteScalarAsync());
        }
        var store = new HashChainingEventStore(new MartenBackend(second, dataSource, Serializer));
        Assert.IsType<AppendResult.Success>(await store.AppendAsync(NewStream(), ExpectedRevision.NoStream, Happened(0, 1)));
    }
}
