namespace Ledger.EventStore.Replication;

/// <summary>
/// What the read side's copy holds in place of an event the ledger did not write or cannot read (another client's event
/// in EventStoreDB, ADR/0018): the copy keeps every stream's revisions in step with the source, so replication goes on
/// for every other event, and no projection applies it. The original stays in the system of record, where the auditor's
/// verify reports it.
/// </summary>
/// <param name="SourceType">The event's type in the source.</param>
/// <param name="Reason">Why the ledger did not copy it as it is.</param>
/// <param name="Data">The source's data, base64: kept for whoever looks into it, never read by the ledger.</param>
public sealed record ForeignEventStandIn(string SourceType, string Reason, string Data)
{
    public const string TypeName = "foreign-event-stand-in.v1";
}
