using System.Data.Common;
using Weasel.Core;
using Weasel.Core.Migrations;
using Weasel.Postgresql;

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

    protected override IEnumerable<ISchemaObject> schemaObjects() => indexes.Select(i => new IndexObject(i, schema));

    private sealed class IndexObject(EventFieldIndex index, string schema) : ISchemaObject
    {
        public DbObjectName Identifier { get; } = new PostgresqlObjectName(schema, index.IndexName, SchemaUtils.IdentifierUsage.General);

        public void WriteCreateStatement(Migrator migrator, TextWriter writer) =>
            writer.WriteLine($"create index if not exists {index.IndexName} on {schema}.mt_events ({index.Expression}) where {index.Predicate};");

        public void WriteDropStatement(Migrator rules, TextWriter writer) =>
            writer.WriteLine($"drop index if exists {schema}.{index.IndexName};");

        public void ConfigureQueryCommand(Weasel.Core.DbCommandBuilder builder)
        {
            builder.Append("select count(*) from pg_indexes where schemaname = ");
            builder.AppendParameter(schema);
            builder.Append(" and indexname = ");
            builder.AppendParameter(index.IndexName);
            builder.Append(";");
        }

        public async Task<ISchemaObjectDelta> CreateDeltaAsync(DbDataReader reader, CancellationToken ct)
        {
            var exists = await reader.ReadAsync(ct) && reader.GetInt64(0) > 0;
            return new Delta(this, exists ? SchemaPatchDifference.None : SchemaPatchDifference.Create);
        }

        public IEnumerable<DbObjectName> AllNames()
        {
            yield return Identifier;
        }
    }

    private sealed class Delta(IndexObject index, SchemaPatchDifference difference) : ISchemaObjectDelta
    {
        public ISchemaObject SchemaObject => index;
        public SchemaPatchDifference Difference => difference;
        public void WriteUpdate(Migrator rules, TextWriter writer) => index.WriteCreateStatement(rules, writer);
        public void WriteRollback(Migrator rules, TextWriter writer) => index.WriteDropStatement(rules, writer);
        public void WriteRestorationOfPreviousState(Migrator rules, TextWriter writer) => index.WriteDropStatement(rules, writer);
    }
}
