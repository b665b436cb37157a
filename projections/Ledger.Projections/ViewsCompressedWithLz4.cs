using System.Data.Common;
using Ledger.EventStore.Marten;
using Marten;
using Weasel.Core;
using Weasel.Core.Migrations;
using Weasel.Postgresql;

namespace Ledger.Projections;

/// <summary>
/// The views' JSON compressed with LZ4 instead of PostgreSQL's default pglz (ADR/0014, "Rebuilds"): a view larger than
/// about 2 kB is compressed on every write and decompressed on every read, and pglz made the rebuild's bulk copy of the
/// reconciliation documents take 1.6 s per 10,000 where LZ4 takes 1.0 (<c>Ledger.Bench rebuild</c>). The live daemon's
/// writes and every read of a view gain the same. A column setting, so it applies to values written from then on; a table
/// Marten creates again gets it back at the next schema migration.
/// </summary>
public sealed class ViewsCompressedWithLz4(StoreOptions options, params Type[] views) : FeatureSchemaBase("LedgerViewsCompressedWithLz4", options.Advanced.Migrator)
{
    public override Type StorageType => typeof(ViewsCompressedWithLz4);

    /// <summary>The view tables exist before their columns are altered.</summary>
    public override IEnumerable<Type> DependentTypes() => views;

    protected override IEnumerable<ISchemaObject> schemaObjects() =>
        views.Select(v => new Lz4Column(((IReadOnlyStoreOptions)options).FindOrResolveDocumentType(v).TableName));

    /// <summary>A table's <c>data</c> column, compressed with LZ4 (<c>pg_attribute.attcompression</c> = 'l').</summary>
    private sealed class Lz4Column(DbObjectName table)
        : CreatedWhenMissing(new PostgresqlObjectName(table.Schema, $"{table.Name}_data_lz4", SchemaUtils.IdentifierUsage.General))
    {
        public override void WriteCreateStatement(Migrator migrator, TextWriter writer) =>
            writer.WriteLine($"alter table {table.QualifiedName} alter column data set compression lz4;");

        public override void WriteDropStatement(Migrator rules, TextWriter writer) =>
            writer.WriteLine($"alter table if exists {table.QualifiedName} alter column data set compression default;");

        public override void ConfigureQueryCommand(Weasel.Core.DbCommandBuilder builder)
        {
            builder.Append("select count(*) from pg_attribute where attrelid = to_regclass(");
            builder.AppendParameter(table.QualifiedName);
            builder.Append(") and attname = 'data' and attcompression = 'l';");
        }

        protected override bool IsComplete(DbDataReader row) => row.GetInt64(0) > 0;
    }
}
