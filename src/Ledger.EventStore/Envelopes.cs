using NodaTime;

namespace Ledger.EventStore;

/// <summary>Who did what, on whose request, from which system, and when: carried by every event.</summary>
/// <param name="TraceParent">
/// The W3C <c>traceparent</c> of the work that appended the event, so that what follows it from the log (a reaction, the
/// billing call it sends) joins the same trace. Telemetry, not evidence: it is not part of the hash.
/// </param>
public sealed record EventMetadata(
    string CorrelationId,
    string CausationId,
    string Actor,
    string SourceSystem,
    string? IdempotencyKey,
    Instant RecordedAt,
    int SchemaVersion = 1,
    string? TraceParent = null);

/// <summary>An event about to be appended: its id makes retries idempotent, its data is JSON.</summary>
/// <param name="Body">
/// The event object <paramref name="Data"/> was serialized from by <see cref="EventSerializer"/>, when the caller holds it:
/// a backend that stores objects (Marten) takes it as it is instead of reading it back from the data.
/// </param>
public sealed record EventToAppend(Guid EventId, string Type, ReadOnlyMemory<byte> Data, EventMetadata Metadata, object? Body = null);

/// <summary>
/// An event as stored. <see cref="Hash"/> is sha-256 over type, canonical data, metadata and
/// <see cref="PreviousHash"/> (the hash of the previous event in the same stream; empty for the first).
/// </summary>
public sealed record RecordedEvent(
    Guid EventId,
    string StreamId,
    long Revision,
    GlobalPosition Position,
    string Type,
    ReadOnlyMemory<byte> Data,
    EventMetadata Metadata,
    string PreviousHash,
    string Hash)
{
    /// <summary>
    /// Why the ledger cannot trust how this event was stored, when it cannot: no ledger metadata (another tool wrote it) or
    /// metadata that does not parse (a row edited by hand). Such an event is still handed out, so that it becomes an
    /// auditor's finding (<see cref="Verification.ChainVerifier"/>) instead of an error that stops every reader.
    /// </summary>
    public string? Defect { get; init; }

    /// <summary>The defect of a <c>recordedAt</c> that does not parse, worded the same by both backends.</summary>
    internal static string NotAnInstant(string recordedAt) =>
        $"recordedAt '{(recordedAt.Length <= 40 ? recordedAt : recordedAt[..40] + "…")}' is not an ISO-8601 instant";
}

public abstract record AppendResult
{
    private AppendResult() { }

    /// <param name="LastRevision">The revision of the last event appended (or found, for a retry).</param>
    /// <param name="Position">The global position of that last event.</param>
    /// <param name="Deduplicated">
    /// True when every event id was known to be in the stream already: nothing was written. False when written, and on
    /// EventStoreDB also for a repeat the port did not see before appending (its answer is the same either way, ADR/0006).
    /// </param>
    public sealed record Success(long LastRevision, GlobalPosition Position, bool Deduplicated) : AppendResult;

    /// <param name="ActualRevision">The stream's last revision, -1 when it does not exist.</param>
    public sealed record WrongExpectedRevision(ExpectedRevision Expected, long ActualRevision) : AppendResult;
}

public abstract record ReadStreamResult
{
    private ReadStreamResult() { }

    public sealed record Found(IReadOnlyList<RecordedEvent> Events, long LastRevision) : ReadStreamResult;

    public sealed record StreamNotFound(string StreamId) : ReadStreamResult;
}
