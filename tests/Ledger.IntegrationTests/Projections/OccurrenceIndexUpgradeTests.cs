using Ledger.Application;
using Ledger.EventStore;
using Ledger.EventStore.Marten;
using Ledger.Projections;
using Ledger.Projections.Reconciliation;
using Ledger.Testing;
using Marten;
using Npgsql;
using Xunit;

namespace Ledger.IntegrationTests.Projections;

/// <summary>
/// A database of a version before ADR/0029 kept the discrepancy occurrence index by triggers on the quote view's and the
/// contract view's tables; the schema migration moves the index to the tables that keep discrepancies now and drops what the
/// old views left behind.
/// </summary>
public sealed class OccurrenceIndexUpgradeTests
{
    [Fact]
    public async Task The_migration_drops_the_index_triggers_and_rows_of_a_view_that_no_longer_keeps_discrepancies()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync(nameof(OccurrenceIndexUpgradeTests));
        DocumentStore Store() => DocumentStore.For(o =>
        {
            o.Connection(connectionString);
            LedgerMarten.ConfigureEventStore(o, new EventSerializer(LedgerEventTypes.Registry()));
            LedgerProjections.Configure(o);
        });
        string schema;
        using (var first = Store())
        {
            await SchemaMigration.ApplyAsync(first);
            schema = first.Options.DatabaseSchemaName;
        }
        Assert.Equal(0, await CountAsync(connectionString, TriggersOn(schema, "mt_doc_quoteview")));
        Assert.Equal(4, await CountAsync(connectionString, TriggersOn(schema, "mt_doc_quotereconciliation")));
        Assert.Equal(0, await CountAsync(connectionString, TriggersOn(schema, "mt_doc_contractview")));
        Assert.Equal(4, await CountAsync(connectionString, TriggersOn(schema, "mt_doc_contractreconciliation")));

        // What the older versions left: its triggers on the quote view's table, and an occurrence row of that table.
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"""
                create trigger ledger_discrepancy_rows_update_v1 after update on {schema}.mt_doc_quoteview for each row execute function {schema}.ledger_discrepancy_rows_v1();
                create trigger ledger_discrepancy_rows_truncate_v1 after truncate on {schema}.mt_doc_quoteview for each statement execute function {schema}.ledger_discrepancy_rows_truncated_v1();
                insert into {DiscrepancyRows.Table(schema)} (source, view_id, ordinal, crm, id, rule, owner, status, opened_at)
                values ('mt_doc_quoteview', 'Q-OLD', 0, '', 'QTC-01:1:Q-OLD', 'QTC-01', 'sales-ops', 'open', now());
                create trigger ledger_discrepancy_rows_insert_v1 after insert on {schema}.mt_doc_contractview for each row execute function {schema}.ledger_discrepancy_rows_v1();
                create trigger ledger_discrepancy_rows_delete_v1 after delete on {schema}.mt_doc_contractview for each row execute function {schema}.ledger_discrepancy_rows_v1();
                insert into {DiscrepancyRows.Table(schema)} (source, view_id, ordinal, crm, id, rule, owner, status, opened_at)
                values ('mt_doc_contractview', 'ctr-OLD', 0, '', 'QTC-12:1:ctr-OLD', 'QTC-12', 'billing-ops', 'open', now());
                """, connection);
            await command.ExecuteNonQueryAsync();
        }
        Assert.Equal(2, await CountAsync(connectionString, TriggersOn(schema, "mt_doc_quoteview")));
        Assert.Equal(2, await CountAsync(connectionString, TriggersOn(schema, "mt_doc_contractview")));

        using (var second = Store()) await SchemaMigration.ApplyAsync(second);

        Assert.Equal(0, await CountAsync(connectionString, TriggersOn(schema, "mt_doc_quoteview")));
        Assert.Equal(4, await CountAsync(connectionString, TriggersOn(schema, "mt_doc_quotereconciliation")));
        Assert.Equal(0, await CountAsync(connectionString, $"select count(*) from {DiscrepancyRows.Table(schema)} where source = 'mt_doc_quoteview'"));
        // The contract view's too (ADR/0029: reconciliation's contract model keeps the contracts' discrepancies now).
        Assert.Equal(0, await CountAsync(connectionString, TriggersOn(schema, "mt_doc_contractview")));
        Assert.Equal(4, await CountAsync(connectionString, TriggersOn(schema, "mt_doc_contractreconciliation")));
        Assert.Equal(0, await CountAsync(connectionString, $"select count(*) from {DiscrepancyRows.Table(schema)} where source = 'mt_doc_contractview'"));
    }

    private static string TriggersOn(string schema, string table) =>
        $"select count(*) from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace " +
        $"where n.nspname = '{schema}' and c.relname = '{table}' and t.tgname like 'ledger_discrepancy_rows%'";

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
