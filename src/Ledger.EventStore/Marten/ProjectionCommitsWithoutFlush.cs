using Ledger.EventStore.Writing;
using Weasel.Core;
using Weasel.Core.Migrations;

namespace Ledger.EventStore.Marten;

/// <summary>
/// The projection daemon's commits do not wait for the WAL flush (ADR/0015, ADR/0027). Every daemon transaction moves a
/// row of <c>mt_event_progression</c> (a projection's position, or the high-water mark) in the same transaction as the
/// documents it wrote, so a commit the server loses in a crash takes its position with it: the daemon projects those
/// events again and writes the same documents. Nothing else is in such a transaction: events, answers and messages commit
/// in the command's own. A statement trigger on the progression table turns synchronous commit off for the transaction
/// that moves it (<see cref="DurabilitySql.CommitWithoutWaitingForFlush"/>, <c>SET LOCAL</c>), which Marten, writing
/// its own SQL, offers no setting for. A feature of its own because it needs Marten's progression table first.
/// </summary>
public sealed class ProjectionCommitsWithoutFlush(Migrator migrator, string schema)
    : FeatureSchemaBase("LedgerProjectionCommitsWithoutFlush", migrator)
{
    public const string TriggerName = "ledger_progression_commits_without_flush_v1";
    private const string FunctionName = "ledger_progression_commits_without_flush_v1";

    public override Type StorageType => typeof(ProjectionCommitsWithoutFlush);

    protected override IEnumerable<ISchemaObject> schemaObjects()
    {
        yield return new TriggerSchemaObject(schema, TriggerName,
            DurabilitySql.CommitWithoutFlushTriggerFunction($"{schema}.{FunctionName}") +
            $$"""
              drop trigger if exists {{TriggerName}} on {{schema}}.mt_event_progression;
              create trigger {{TriggerName}} after insert or update on {{schema}}.mt_event_progression
                for each statement execute function {{schema}}.{{FunctionName}}();
              """,
            $"drop trigger if exists {TriggerName} on {schema}.mt_event_progression; drop function if exists {schema}.{FunctionName}();");
    }
}
