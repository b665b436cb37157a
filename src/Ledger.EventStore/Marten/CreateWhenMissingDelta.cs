using Weasel.Core;
using Weasel.Core.Migrations;

namespace Ledger.EventStore.Marten;

/// <summary>
/// The migration delta of a schema object the ledger adds to Marten's (an index, a trigger, a table kept by triggers): created
/// when its query finds it missing or incomplete, dropped on rollback, never altered in place (a changed definition takes a new name).
/// </summary>
public sealed class CreateWhenMissingDelta(ISchemaObject schemaObject, bool complete) : ISchemaObjectDelta
{
    public ISchemaObject SchemaObject => schemaObject;
    public SchemaPatchDifference Difference { get; } = complete ? SchemaPatchDifference.None : SchemaPatchDifference.Create;
    public void WriteUpdate(Migrator rules, TextWriter writer) => schemaObject.WriteCreateStatement(rules, writer);
    public void WriteRollback(Migrator rules, TextWriter writer) => schemaObject.WriteDropStatement(rules, writer);
    public void WriteRestorationOfPreviousState(Migrator rules, TextWriter writer) => schemaObject.WriteDropStatement(rules, writer);
}
