using Weasel.Core;
using Weasel.Core.Migrations;

namespace Ledger.EventStore.Marten;

/// <summary>
/// An index on one JSON field of the events whose type starts with a prefix (<c>mt_events((data->>'field')) where type like
/// 'prefix%'</c>): finds the streams whose events name something (a billing record's order) without a scan of every event.
/// </summary>
public sealed record EventFieldIndex(string IndexName, string TypePrefix, string Field)
{
    /// <summary>The predicate a query repeats word for word, so PostgreSQL can use this partial index.</summary>
    public string Predicate => $"type like '{TypePrefix}%'";

    public string Expression => $"(data->>'{Field}')";
}

/// <summary>
/// The <see cref="EventFieldIndex"/>es on <c>mt_events</c>. A feature of its own, like <see cref="EventIdUniqueIndex"/>,
/// because Marten applies features after its event tables.
/// </summary>
public sealed class EventFieldIndexes(Migrator migrator, string schema, IReadOnlyList<EventFieldIndex> indexes)
    : FeatureSchemaBase("LedgerEventFieldIndexes", migrator)
{
    public override Type StorageType => typeof(EventFieldIndexes);

    protected override IEnumerable<ISchemaObject> schemaObjects() => indexes.Select(i => new IndexSchemaObject(schema, i.IndexName,
        $"create index if not exists {i.IndexName} on {schema}.mt_events ({i.Expression}) where {i.Predicate};"));
}
