using System.Data.Common;
using Weasel.Core;
using Weasel.Core.Migrations;

namespace Ledger.EventStore.Marten;

/// <summary>
/// A schema object the ledger adds to Marten's (an index, a trigger, a table kept by triggers, a column setting): one query
/// counts what exists, and the migration runs its create script when that finds it missing or incomplete, its drop
/// script on rollback; never altered in place (a changed definition takes a new name), so each script must be harmless
/// to run again.
/// </summary>
public abstract class CreatedWhenMissing(DbObjectName identifier) : ISchemaObject
{
    public DbObjectName Identifier { get; } = identifier;

    public abstract void WriteCreateStatement(Migrator migrator, TextWriter writer);

    public abstract void WriteDropStatement(Migrator rules, TextWriter writer);

    /// <summary>The query: one row, whose columns <see cref="IsComplete"/> reads.</summary>
    public abstract void ConfigureQueryCommand(Weasel.Core.DbCommandBuilder builder);

    /// <summary>Whether the query's row says every part exists.</summary>
    protected abstract bool IsComplete(DbDataReader row);

    public async Task<ISchemaObjectDelta> CreateDeltaAsync(DbDataReader reader, CancellationToken ct) =>
        new Delta(this, await reader.ReadAsync(ct) && IsComplete(reader));

    public IEnumerable<DbObjectName> AllNames()
    {
        yield return Identifier;
    }

    private sealed class Delta(ISchemaObject schemaObject, bool complete) : ISchemaObjectDelta
    {
        public ISchemaObject SchemaObject => schemaObject;
        public SchemaPatchDifference Difference { get; } = complete ? SchemaPatchDifference.None : SchemaPatchDifference.Create;
        public void WriteUpdate(Migrator rules, TextWriter writer) => schemaObject.WriteCreateStatement(rules, writer);
        public void WriteRollback(Migrator rules, TextWriter writer) => schemaObject.WriteDropStatement(rules, writer);
        public void WriteRestorationOfPreviousState(Migrator rules, TextWriter writer) => schemaObject.WriteDropStatement(rules, writer);
    }
}
