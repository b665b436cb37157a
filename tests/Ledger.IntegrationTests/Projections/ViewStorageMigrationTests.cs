using Ledger.EventStore.Marten;
using Ledger.Projections;
using Ledger.Projections.Reconciliation;
using Xunit;

namespace Ledger.IntegrationTests.Projections;

/// <summary>
/// How the views are stored, as the schema migration keeps it: their JSON compressed with LZ4, and the occurrence index's list
/// indexes, which a rebuild sets aside while it fills the rows, built again at the next start if the pass died before it could
/// (ADR/0014, "Rebuilds").
/// </summary>
public sealed class ViewStorageMigrationTests
{
    private static string Lz4Columns(string schema) =>
        "select count(*) from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace " +
        $"where n.nspname = '{schema}' and c.relname like 'mt\\_doc\\_%' and a.attname = 'data' and a.attcompression = 'l'";

    [Fact]
    public async Task Every_view_is_compressed_with_lz4_and_a_table_back_on_the_default_gets_it_again()
    {
        var (connectionString, schema) = await MigratedDatabase.CreateAsync(nameof(ViewStorageMigrationTests) + "_lz4");
        var views = LedgerProjections.All.Select(p => p.Document).Distinct().Count();
        Assert.Equal(views, await MigratedDatabase.CountAsync(connectionString, Lz4Columns(schema)));

        await MigratedDatabase.ExecuteAsync(connectionString, $"alter table {schema}.mt_doc_quotereconciliation alter column data set compression default");
        Assert.Equal(views - 1, await MigratedDatabase.CountAsync(connectionString, Lz4Columns(schema)));

        using (var second = MigratedDatabase.Store(connectionString)) await SchemaMigration.ApplyAsync(second);
        Assert.Equal(views, await MigratedDatabase.CountAsync(connectionString, Lz4Columns(schema)));
    }

    [Fact]
    public async Task Indexes_a_dead_rebuild_left_dropped_are_built_again_by_the_next_migration()
    {
        var (connectionString, schema) = await MigratedDatabase.CreateAsync(nameof(ViewStorageMigrationTests) + "_indexes");
        var listIndexes = DiscrepancyRows.ListIndexes(schema);
        var indexes = $"select count(to_regclass(name)) from unnest(array['{string.Join("', '", listIndexes)}']) as name";
        Assert.Equal(2, await MigratedDatabase.CountAsync(connectionString, indexes));

        // What a pass killed between setting the indexes aside and building them again leaves.
        await MigratedDatabase.ExecuteAsync(connectionString, $"drop index {string.Join(", ", listIndexes)}");
        Assert.Equal(0, await MigratedDatabase.CountAsync(connectionString, indexes));

        using (var second = MigratedDatabase.Store(connectionString)) await SchemaMigration.ApplyAsync(second);
        Assert.Equal(2, await MigratedDatabase.CountAsync(connectionString, indexes));
    }
}
