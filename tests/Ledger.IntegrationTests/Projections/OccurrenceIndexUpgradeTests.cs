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
        var (connectionString, schema) = await MigratedDatabase.CreateAsync(nameof(OccurrenceIndexUpgradeTests));
        Assert.Equal(0, await MigratedDatabase.CountAsync(connectionString, TriggersOn(schema, "mt_doc_quoteview")));
        Assert.Equal(4, await MigratedDatabase.CountAsync(connectionString, TriggersOn(schema, "mt_doc_quotereconciliation")));
        Assert.Equal(0, await MigratedDatabase.CountAsync(connectionString, TriggersOn(schema, "mt_doc_contractview")));
        Assert.Equal(4, await MigratedDatabase.CountAsync(connectionString, TriggersOn(schema, "mt_doc_contractreconciliation")));

        // What the older versions left: its triggers on the quote view's table, and an occurrence row of that table.
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"""
                {V1Functions(schema)}
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
        Assert.Equal(2, await MigratedDatabase.CountAsync(connectionString, TriggersOn(schema, "mt_doc_quoteview")));
        Assert.Equal(2, await MigratedDatabase.CountAsync(connectionString, TriggersOn(schema, "mt_doc_contractview")));

        using (var second = MigratedDatabase.Store(connectionString)) await SchemaMigration.ApplyAsync(second);

        Assert.Equal(0, await MigratedDatabase.CountAsync(connectionString, TriggersOn(schema, "mt_doc_quoteview")));
        Assert.Equal(4, await MigratedDatabase.CountAsync(connectionString, TriggersOn(schema, "mt_doc_quotereconciliation")));
        Assert.Equal(0, await MigratedDatabase.CountAsync(connectionString, $"select count(*) from {DiscrepancyRows.Table(schema)} where source = 'mt_doc_quoteview'"));
        // The contract view's too (ADR/0029: reconciliation's contract model keeps the contracts' discrepancies now).
        Assert.Equal(0, await MigratedDatabase.CountAsync(connectionString, TriggersOn(schema, "mt_doc_contractview")));
        Assert.Equal(4, await MigratedDatabase.CountAsync(connectionString, TriggersOn(schema, "mt_doc_contractreconciliation")));
        Assert.Equal(0, await MigratedDatabase.CountAsync(connectionString, $"select count(*) from {DiscrepancyRows.Table(schema)} where source = 'mt_doc_contractview'"));
    }

    /// <summary>
    /// A database of the version before the deferred setting (v1: triggers that fire on every row, a rebuild's bulk load
    /// included) keeps the index on the tables that keep discrepancies now; the migration puts v2 in their place and drops
    /// every v1 trigger and function. Four triggers on each of those tables, as v1 left them, must not pass for complete.
    /// </summary>
    [Fact]
    public async Task The_migration_replaces_the_v1_triggers_and_functions_by_v2_on_every_indexed_table()
    {
        var (connectionString, schema) = await MigratedDatabase.CreateAsync(nameof(OccurrenceIndexUpgradeTests) + "_v1");
        string[] indexed = ["mt_doc_quotereconciliation", "mt_doc_customermatchview", "mt_doc_contractreconciliation"];

        // Back to v1: its functions, and its four triggers instead of v2's on each indexed table.
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            var v1 = string.Concat(indexed.Select(table => $"""
                drop trigger ledger_discrepancy_rows_insert_v2 on {schema}.{table};
                drop trigger ledger_discrepancy_rows_update_v2 on {schema}.{table};
                drop trigger ledger_discrepancy_rows_delete_v2 on {schema}.{table};
                drop trigger ledger_discrepancy_rows_truncate_v2 on {schema}.{table};
                create trigger ledger_discrepancy_rows_insert_v1 after insert on {schema}.{table} for each row execute function {schema}.ledger_discrepancy_rows_v1();
                create trigger ledger_discrepancy_rows_update_v1 after update on {schema}.{table} for each row execute function {schema}.ledger_discrepancy_rows_v1();
                create trigger ledger_discrepancy_rows_delete_v1 after delete on {schema}.{table} for each row execute function {schema}.ledger_discrepancy_rows_v1();
                create trigger ledger_discrepancy_rows_truncate_v1 after truncate on {schema}.{table} for each statement execute function {schema}.ledger_discrepancy_rows_truncated_v1();

                """));
            await using var command = new NpgsqlCommand(V1Functions(schema) + v1, connection);
            await command.ExecuteNonQueryAsync();
        }
        foreach (var table in indexed)
            Assert.Equal(4, await MigratedDatabase.CountAsync(connectionString, TriggersOn(schema, table) + " and t.tgname like '%\\_v1'"));

        using (var second = MigratedDatabase.Store(connectionString)) await SchemaMigration.ApplyAsync(second);

        foreach (var table in indexed)
        {
            Assert.Equal(0, await MigratedDatabase.CountAsync(connectionString, TriggersOn(schema, table) + " and t.tgname like '%\\_v1'"));
            Assert.Equal(4, await MigratedDatabase.CountAsync(connectionString, TriggersOn(schema, table) + " and t.tgname like '%\\_v2'"));
        }
        Assert.Equal(0, await MigratedDatabase.CountAsync(connectionString,
            $"select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = '{schema}' and p.proname like 'ledger\\_discrepancy\\_rows%v1'"));
    }

    /// <summary>Stand-ins for v1's trigger functions (their bodies do not matter here: the migration drops them).</summary>
    private static string V1Functions(string schema) => $"""
        create or replace function {schema}.ledger_discrepancy_rows_v1() returns trigger language plpgsql as $f$ begin return null; end $f$;
        create or replace function {schema}.ledger_discrepancy_rows_truncated_v1() returns trigger language plpgsql as $f$ begin return null; end $f$;

        """;

    private static string TriggersOn(string schema, string table) =>
        $"select count(*) from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace " +
        $"where n.nspname = '{schema}' and c.relname = '{table}' and t.tgname like 'ledger_discrepancy_rows%'";
}
