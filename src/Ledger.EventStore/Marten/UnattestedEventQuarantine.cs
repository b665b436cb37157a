using Weasel.Core;
using Weasel.Core.Migrations;

namespace Ledger.EventStore.Marten;

/// <summary>
/// The read side applies only what the ledger wrote (ADR/0025). The ledger's own writers mark their transactions
/// (<see cref="AttestWrites"/>); a row of <c>mt_events</c> inserted, or whose data, headers, type, stream or version is
/// changed, in any other transaction (a hand in psql, another tool) is marked <c>is_skipped</c> by a trigger, so Marten's
/// daemon never projects it (Marten's event skipping) and a rebuild leaves it out. The ledger's verification, which reads
/// every row, still reports it. A feature of its own because it needs Marten's event table (and its <c>is_skipped</c>
/// column) to exist first.
/// </summary>
public sealed class UnattestedEventQuarantine(Migrator migrator, string schema)
    : FeatureSchemaBase("LedgerUnattestedEventQuarantine", migrator)
{
    public const string TriggerName = "ledger_quarantine_unattested_v1";
    /// <summary>The quarantined rows, few by nature: counting them for the metric reads this index only.</summary>
    public const string IndexName = "ledger_mt_events_quarantined";
    private const string FunctionName = "ledger_quarantine_unattested_v1";

    /// <summary>How many rows are quarantined now.</summary>
    public static async Task<long> CountAsync(Npgsql.NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        await using var count = new Npgsql.NpgsqlCommand($"select count(*) from {schema}.mt_events where is_skipped", connection);
        return Convert.ToInt64(await count.ExecuteScalarAsync(ct));
    }

    /// <summary>
    /// Marks the current transaction as the ledger's own writer (for the transaction only). Not a secret: it keeps hands
    /// and other tools out of the views, not a determined insider, whom the anchors catch.
    /// </summary>
    public const string AttestWrites = "select set_config('ledger.writer', 'on', true)";

    public override Type StorageType => typeof(UnattestedEventQuarantine);

    protected override IEnumerable<ISchemaObject> schemaObjects()
    {
        yield return new TriggerSchemaObject(schema, TriggerName,
            $$"""
              create or replace function {{schema}}.{{FunctionName}}() returns trigger language plpgsql as $quarantine$
              begin
                if coalesce(current_setting('ledger.writer', true), '') <> 'on'
                   and (tg_op = 'INSERT'
                        or (new.data, new.headers, new.type, new.stream_id, new.version) is distinct from (old.data, old.headers, old.type, old.stream_id, old.version)) then
                  new.is_skipped := true;
                end if;
                return new;
              end
              $quarantine$;
              drop trigger if exists {{TriggerName}} on {{schema}}.mt_events;
              create trigger {{TriggerName}} before insert or update on {{schema}}.mt_events
                for each row execute function {{schema}}.{{FunctionName}}();
              create index if not exists {{IndexName}} on {{schema}}.mt_events (seq_id) where is_skipped;
              """,
            $"drop trigger if exists {TriggerName} on {schema}.mt_events; drop function if exists {schema}.{FunctionName}(); drop index if exists {schema}.{IndexName};", IndexName);
    }
}
