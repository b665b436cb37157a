using System.Text.Json;
using JasperFx.Events;
using Marten;
using Marten.Services;
using Npgsql;
using NodaTime.Text;

namespace Ledger.EventStore.Marten;

/// <summary>
/// The one way chained events become Marten rows, inside a transaction the caller owns: the backend's appends
/// and the replication target's copies both go through it, so both write the same columns and headers and
/// both follow the gap rule (transaction id before sequence value, ADR/0005).
/// </summary>
internal sealed class MartenEventWriter(IDocumentStore store, EventSerializer serializer)
{
    /// <summary>
    /// Opens a transaction and takes its transaction id before any sequence value, so a reader's snapshot
    /// lists this transaction while it holds a seq_id (the gap rule in <see cref="CommittedEventFeed"/>).
    /// </summary>
    public static async Task<NpgsqlTransaction> BeginAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var transaction = await connection.BeginTransactionAsync(ct);
        try
        {
            // Also marks the transaction as the ledger's own writer: the quarantine trigger lets its rows through (ADR/0025).
            await using var xid = new NpgsqlCommand($"select pg_current_xact_id(), ({UnattestedEventQuarantine.AttestWrites})", connection, transaction);
            await xid.ExecuteScalarAsync(ct);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The CLR bodies Marten stores. Marten stores what it serialises from the object; if that differs from
    /// the bytes that were hashed, the chain would not verify on read. Refuse rather than store an event that
    /// looks tampered with. An event whose object came with it was serialized from that object with the options Marten
    /// writes with, so it needs no such check.
    /// </summary>
    public object[] Bodies(IReadOnlyList<ChainedEvent> events)
    {
        var bodies = new object[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i].Event;
            if (e.Body is { } given)
            {
                bodies[i] = given;
                continue;
            }
            var body = serializer.Deserialize(e.Type, e.Data.Span);
            var stored = JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), serializer.Options);
            if (CanonicalJson.Write(stored) != CanonicalJson.Write(e.Data.Span))
                throw new ArgumentException(
                    $"Event {e.EventId} ('{e.Type}') does not round-trip through its registered type; its hash would not verify.");
            bodies[i] = body;
        }
        return bodies;
    }

    /// <summary>
    /// Call after committing a transaction that wrote events: wakes this process's subscriptions to the store, and its
    /// projection daemon when that listens in process.
    /// </summary>
    public void Committed()
    {
        _committed.Pulse();
        _wakeup?.Pulse();
    }

    private readonly CommitSignal _committed = CommitSignal.For(store);

    private readonly AppendWakeup? _wakeup = (store.Options as StoreOptions)?.Projections.Wakeup as AppendWakeup;

    /// <summary>
    /// Writes the events in <paramref name="transaction"/> (not committed here) at the expectation given.
    /// Returns the Marten events with their versions and sequences, or a wrong-revision result for a
    /// StreamExists append on a missing stream. Other conflicts surface as Marten's or PostgreSQL's exceptions.
    /// </summary>
    public async Task<(IEvent[]? Written, AppendResult? Refused)> AppendAsync(
        NpgsqlTransaction transaction, string streamId, ExpectedRevision expected,
        IReadOnlyList<ChainedEvent> events, object[] bodies, CancellationToken ct)
    {
        await using var session = store.LightweightSession(SessionOptions.ForTransaction(transaction));

        var marten = new IEvent[events.Count];
        for (var i = 0; i < events.Count; i++) marten[i] = ToMartenEvent(session, events[i], bodies[i]);

        switch (expected.Kind)
        {
            case ExpectedRevisionKind.NoStream:
                session.Events.StartStream(streamId, marten);
                break;
            case ExpectedRevisionKind.Exact:
                // Marten's expected version is the stream's version after this append, 1-based.
                session.Events.Append(streamId, expected.Revision + 1 + marten.Length, marten);
                break;
            case ExpectedRevisionKind.StreamExists:
                var state = await session.Events.FetchStreamStateAsync(streamId, ct);
                if (state is null) return (null, new AppendResult.WrongExpectedRevision(expected, -1));
                session.Events.Append(streamId, state.Version + marten.Length, marten);
                break;
            default:
                session.Events.Append(streamId, marten);
                break;
        }

        await session.SaveChangesAsync(ct);
        return (marten, null);
    }

    private static IEvent ToMartenEvent(IDocumentSession session, ChainedEvent chained, object body)
    {
        var (e, metadata) = (chained.Event, chained.Event.Metadata);
        var marten = session.Events.BuildEvent(body);
        marten.Id = e.EventId;
        marten.CorrelationId = metadata.CorrelationId;
        marten.CausationId = metadata.CausationId;
        marten.UserName = metadata.Actor;
        marten.SetHeader(MartenBackend.Headers.SourceSystem, metadata.SourceSystem);
        if (metadata.IdempotencyKey is not null) marten.SetHeader(MartenBackend.Headers.IdempotencyKey, metadata.IdempotencyKey);
        marten.SetHeader(MartenBackend.Headers.RecordedAt, InstantPattern.ExtendedIso.Format(metadata.RecordedAt));
        marten.SetHeader(MartenBackend.Headers.SchemaVersion, metadata.SchemaVersion);
        marten.SetHeader(MartenBackend.Headers.PreviousHash, chained.PreviousHash);
        marten.SetHeader(MartenBackend.Headers.Hash, chained.Hash);
        if (metadata.TraceParent is not null) marten.SetHeader(MartenBackend.Headers.TraceParent, metadata.TraceParent);
        return marten;
    }
}
