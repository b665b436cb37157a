using System.Data.Common;
using Weasel.Core;
using Weasel.Core.Migrations;
using Weasel.Postgresql;

namespace Ledger.EventStore.Marten;

/// <summary>
/// One index Marten does not know of, as a Weasel schema object: created when missing (<c>create … if not exists</c>),
/// never altered, so a changed definition needs a new name.
/// </summary>
internal sealed class IndexSchemaObject(string schema, string indexName, string createStatement)
    : CreatedWhenMissing(new PostgresqlObjectName(schema, indexName, SchemaUtils.IdentifierUsage.General))
{
    public override void WriteCreateStatement(Migrator migrator, TextWriter writer) => writer.WriteLine(createStatement);

    public override void WriteDropStatement(Migrator rules, TextWriter writer) => writer.WriteLine($"drop index if exists {schema}.{indexName};");

    public override void ConfigureQueryCommand(Weasel.Core.DbCommandBuilder builder)
    {
        builder.Append("select count(*) from pg_indexes where schemaname = ");
        builder.AppendParameter(schema);
        builder.Append(" and indexname = ");
        builder.AppendParameter(indexName);
        builder.Append(";");
    }

    protected override bool IsComplete(DbDataReader row) => row.GetInt64(0) > 0;
}
