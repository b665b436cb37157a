using System.Data.Common;
using Weasel.Core;
using Weasel.Core.Migrations;
using Weasel.Postgresql;

namespace Ledger.EventStore.Marten;

/// <summary>
/// A trigger the ledger puts on one of Marten's tables (and an index it needs, if any), as a schema object Weasel's
/// migrations create when it is missing: its script replaces the function and the trigger, so running it again is harmless.
/// </summary>
/// <param name="Create">The script: the function, the trigger and the index, each replaced or created if missing.</param>
/// <param name="Drop">The script that removes them.</param>
/// <param name="Index">The index the script makes, counted with the trigger; null when there is none.</param>
internal sealed class TriggerSchemaObject(string schema, string trigger, string create, string drop, string? index = null)
    : CreatedWhenMissing(new PostgresqlObjectName(schema, trigger, SchemaUtils.IdentifierUsage.General))
{
    public override void WriteCreateStatement(Migrator migrator, TextWriter writer) => writer.WriteLine(create);

    public override void WriteDropStatement(Migrator rules, TextWriter writer) => writer.WriteLine(drop);

    public override void ConfigureQueryCommand(Weasel.Core.DbCommandBuilder builder)
    {
        builder.Append("select (select count(*) from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = ");
        builder.AppendParameter(schema);
        builder.Append(" and t.tgname = ");
        builder.AppendParameter(trigger);
        builder.Append(") + (select count(*) from pg_indexes where schemaname = ");
        builder.AppendParameter(schema);
        builder.Append(" and indexname = ");
        builder.AppendParameter(index ?? "");
        builder.Append(");");
    }

    // Every part there (the trigger, and the index if any); the script makes whichever is missing.
    protected override bool IsComplete(DbDataReader row) => row.GetInt64(0) == (index is null ? 1 : 2);
}
