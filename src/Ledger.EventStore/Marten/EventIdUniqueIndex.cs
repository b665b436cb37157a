using System.Data.Common;
using Weasel.Core;
using Weasel.Core.Migrations;
using Weasel.Postgresql;

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
        yield return new IndexObject(schema);
    }

    private sealed class IndexObject(string schema) : ISchemaObject
    {
        public DbObjectName Identifier { get; } = new PostgresqlObjectName(schema, IndexName, SchemaUtils.IdentifierUsage.General);

        public void WriteCreateStatement(Migrator migrator, TextWriter writer) =>
            writer.WriteLine($"create unique index if not exists {IndexName} on {schema}.mt_events (id);");

        public void WriteDropStatement(Migrator rules, TextWriter writer) =>
            writer.WriteLine($"drop index if exists {schema}.{IndexName};");

        public void ConfigureQueryCommand(Weasel.Core.DbCommandBuilder builder)
        {
            builder.Append("select count(*) from pg_indexes where schemaname = ");
            builder.AppendParameter(schema);
            builder.Append(" and indexname = ");
            builder.AppendParameter(IndexName);
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
