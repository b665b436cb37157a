using Weasel.Core;
using Weasel.Core.Migrations;

namespace Ledger.EventStore.Marten;

/// <summary>
/// A unique index on <c>mt_events(id)</c>: two racing retries of one append cannot both land; the loser's
/// unique violation becomes the dedup result. A feature of its own because Marten applies custom features
/// after its event tables (extended schema objects come before them).
/// </summary>
internal sealed class EventIdUniqueIndex(Migrator migrator, string schema)
    : FeatureSchemaBase("LedgerEventIdUniqueIndex", migrator)
{
    public const string IndexName = "ledger_mt_events_id_unique";

    public override Type StorageType => typeof(EventIdUniqueIndex);

    protected override IEnumerable<ISchemaObject> schemaObjects()
    {
        yield return new IndexSchemaObject(schema, IndexName, $"create unique index if not exists {IndexName} on {schema}.mt_events (id);");
    }
}
