using System.Data;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using JasperFx.Events;
using Marten;
using Marten.Services;
using Npgsql;
using NpgsqlTypes;
using NodaTime;
using NodaTime.Text;

namespace Ledger.EventStore.Marten;

/// <summary>
/// The PostgreSQL backend: appends through Marten (so Marten's projections and tools see ordinary events),
/// reads <c>mt_events</c> with plain SQL so the stored JSON text and the hashes come back untouched.
/// Revision = Marten version - 1; position = <c>seq_id</c>. Read-all never passes a sequence gap that an
/// in-flight transaction may still fill (<see cref="CommittedEventFeed"/>, ADR/0005).
/// </summary>
public sealed class MartenBackend : IEventStoreBackend
{
    public static class Headers
    {
        public const string SourceSystem = "sourceSystem";
        public const string IdempotencyKey = "idempotencyKey";
        public const string RecordedAt = "recordedAt";
        public const string SchemaVersion = "schemaVersion";
        public const string PreviousHash = "previousHash";
        public const string Hash = "hash";
        public const string TraceParent = "traceParent";
    }

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _schema;
    private readonly CommittedEventFeed _feed;
    private readonly MartenEventWriter _writer;

    public MartenBackend(IDocumentStore store, NpgsqlDataSource dataSource, EventSerializer serializer,
        MartenBackendOptions? options = null)
    {
        _dataSource = dataSource;
        _schema = store.Options.Events.DatabaseSchemaName;
        _feed = new CommittedEventFeed(dataSource, _schema, options ?? new MartenBackendOptions(), CommitSignal.For(store));
        _writer = new MartenEventWriter(store, serializer);
    }

    public async Task<AppendResult> AppendAsync(
        string streamId, ExpectedRevision expected, IReadOnlyList<ChainedEvent> events,
        CancellationToken cancellationToken = default)
    {
        if (events.Count == 0) throw new ArgumentException("Append at least one event.", nameof(events));

        // A retry is answered before any expectation is checked: the first attempt already passed it.
        if (await FindRetryAsync(streamId, expected, events, cancellationToken) is { } retry) return retry;

        var bodies = _writer.Bodies(events);
        try
        {
            // Our own transaction, so we know Marten's inserts run in it and we decide when it commits.
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await MartenEventWriter.BeginAsync(connection, cancellationToken);
            var (written, refused) = await _writer.AppendAsync(transaction, streamId, expected, events, bodies, cancellationToken);
            if (refused is not null) return refused;
            await transaction.CommitAsync(cancellationToken);
            _writer.Committed();
            var last = written![^1];
            return new AppendResult.Success(last.Version - 1, new GlobalPosition((ulong)last.Sequence), Deduplicated: false);
        }
        catch (Exception e) when (IsConflict(e))
        {
            // Either another writer moved the stream, or a racing copy of this very append landed first.
            if (await FindRetryAsync(streamId, expected, events, cancellationToken) is { } landed) return landed;
            return new AppendResult.WrongExpectedRevision(expected, await LastRevisionAsync(streamId, cancellationToken));
        }
    }

    public async Task<ReadStreamResult> ReadStreamAsync(
        string streamId, ReadDirection direction, StreamRevision from, int maxCount,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        // One snapshot for the stream's version and its events.
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);

        long lastRevision;
        await using (var version = new NpgsqlCommand($"select version from {_schema}.mt_streams where id = @stream", connection, transaction))
        {
            version.Parameters.AddWithValue("stream", streamId);
            if (await version.ExecuteScalarAsync(cancellationToken) is not { } v || v is DBNull)
                return new ReadStreamResult.StreamNotFound(streamId);
            lastRevision = Convert.ToInt64(v) - 1;
        }

        var fromVersion = from.Value >= long.MaxValue - 1 ? long.MaxValue : from.Value + 1;
        var sql = direction == ReadDirection.Forwards
            ? $"{EventRows.Select(_schema)} where stream_id = @stream and version >= @from order by version limit @count"
            : $"{EventRows.Select(_schema)} where stream_id = @stream and version <= @from order by version desc limit @count";
        await using var read = new NpgsqlCommand(sql, connection, transaction);
        read.Parameters.AddWithValue("stream", streamId);
        read.Parameters.AddWithValue("from", fromVersion);
        read.Parameters.AddWithValue("count", maxCount);
        var found = new List<RecordedEvent>();
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken))
                found.Add(EventRows.Read(reader).Event);
        await transaction.CommitAsync(cancellationToken);
        return new ReadStreamResult.Found(found, lastRevision);
    }

    public IAsyncEnumerable<RecordedEvent> ReadAllAsync(
        GlobalPosition after, int maxCount, CancellationToken cancellationToken = default) =>
        _feed.ReadAsync(after, maxCount, cancellationToken);

    /// <summary>How this backend's subscriptions got their pages (tests).</summary>
    internal FeedReads FeedReads => _feed.Reads;

    public IAsyncEnumerable<RecordedEvent> SubscribeToAllAsync(
        GlobalPosition after, CancellationToken cancellationToken = default) =>
        _feed.SubscribeAsync(after, cancellationToken);

    /// <summary>
    /// The original result when every id is already in the stream; a conflict when only some are (the
    /// append overlaps what is there, so it is neither a retry nor appendable); null when none are.
    /// </summary>
    private async Task<AppendResult?> FindRetryAsync(
        string streamId, ExpectedRevision expected, IReadOnlyList<ChainedEvent> events, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand(
            $"select stream_id, version, seq_id from {_schema}.mt_events where id = any(@ids)");
        command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid)
        {
            Value = events.Select(e => e.Event.EventId).ToArray(),
        });
        var found = new List<(string Stream, long Version, long Sequence)>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                found.Add((reader.GetString(0), Convert.ToInt64(reader.GetValue(1)), reader.GetInt64(2)));

        if (found.Count == 0) return null;
        if (found.Any(f => f.Stream != streamId))
            throw new InvalidOperationException(
                $"An event id appended to '{streamId}' is already stored in another stream ('{found.First(f => f.Stream != streamId).Stream}').");
        if (found.Count < events.Count)
            return new AppendResult.WrongExpectedRevision(expected, await LastRevisionAsync(streamId, ct));

        var last = found.MaxBy(f => f.Version);
        return new AppendResult.Success(last.Version - 1, new GlobalPosition((ulong)last.Sequence), Deduplicated: true);
    }

    private async Task<long> LastRevisionAsync(string streamId, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand($"select version from {_schema}.mt_streams where id = @stream");
        command.Parameters.AddWithValue("stream", streamId);
        return await command.ExecuteScalarAsync(ct) is { } v and not DBNull ? Convert.ToInt64(v) - 1 : -1;
    }

    internal static bool IsConflict(Exception e)
    {
        for (var current = e; current is not null; current = current.InnerException)
        {
            if (current is ExistingStreamIdCollisionException
                or global::Marten.Exceptions.ExistingStreamIdCollisionException
                or EventStreamUnexpectedMaxEventIdException
                or global::Marten.Exceptions.ConcurrentUpdateException
                or PostgresException { SqlState: PostgresErrorCodes.UniqueViolation or "MT003" })
                return true;
        }
        return false;
    }
}

public sealed record MartenBackendOptions
{
    /// <summary>How long a read-all waits for in-flight transactions that may fill a gap before returning what is safe.</summary>
    public TimeSpan GapWait { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How often a live subscription looks for new events appended by other processes (this process's commits wake it at once).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    public int SubscriptionPageSize { get; init; } = 500;

    /// <summary>The longest back-off after a lost connection.</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>The columns of <c>mt_events</c> turned back into the port's <see cref="RecordedEvent"/>.</summary>
internal static class EventRows
{
    public static string Select(string schema) =>
        $"select seq_id, id, stream_id, version, type, data::text, correlation_id, causation_id, user_name, headers::text from {schema}.mt_events";

    /// <summary>
    /// One row as an event. Whatever the headers hold, the row is read: headers that are not a JSON object or a
    /// <c>recordedAt</c> that is not an instant leave the field empty and say so in <see cref="RecordedEvent.Defect"/>.
    /// </summary>
    public static (long Sequence, RecordedEvent Event) Read(NpgsqlDataReader reader)
    {
        var sequence = reader.GetInt64(0);
        var defects = new List<string>();
        JsonDocument? headers = null;
        try
        {
            headers = JsonDocument.Parse(reader.IsDBNull(9) ? "{}" : reader.GetString(9));
        }
        catch (JsonException)
        {
            defects.Add("its headers are not JSON");
        }
        using var _ = headers;
        var h = headers?.RootElement ?? default;
        if (headers is not null && h.ValueKind != JsonValueKind.Object) defects.Add("its headers are not a JSON object");
        if (Text(h, MartenBackend.Headers.Hash) is null) defects.Add("it carries no ledger hash: the ledger did not write it");
        var recordedAt = default(Instant);
        if (Text(h, MartenBackend.Headers.RecordedAt) is { } at)
        {
            if (InstantPattern.ExtendedIso.Parse(at) is { Success: true } parsed) recordedAt = parsed.Value;
            else defects.Add(RecordedEvent.NotAnInstant(at));
        }
        var metadata = new EventMetadata(
            CorrelationId: reader.IsDBNull(6) ? "" : reader.GetString(6),
            CausationId: reader.IsDBNull(7) ? "" : reader.GetString(7),
            Actor: reader.IsDBNull(8) ? "" : reader.GetString(8),
            SourceSystem: Text(h, MartenBackend.Headers.SourceSystem) ?? "",
            IdempotencyKey: Text(h, MartenBackend.Headers.IdempotencyKey),
            RecordedAt: recordedAt,
            SchemaVersion: h.ValueKind == JsonValueKind.Object && h.TryGetProperty(MartenBackend.Headers.SchemaVersion, out var v) && v.TryGetInt32(out var version) ? version : 1,
            TraceParent: Text(h, MartenBackend.Headers.TraceParent));
        var recorded = new RecordedEvent(
            EventId: reader.GetGuid(1),
            StreamId: reader.GetString(2),
            Revision: Convert.ToInt64(reader.GetValue(3)) - 1,
            Position: new GlobalPosition((ulong)sequence),
            Type: reader.GetString(4),
            Data: Encoding.UTF8.GetBytes(reader.GetString(5)),
            Metadata: metadata,
            PreviousHash: Text(h, MartenBackend.Headers.PreviousHash) ?? "",
            Hash: Text(h, MartenBackend.Headers.Hash) ?? "")
        {
            Defect = defects.Count == 0 ? null : string.Join("; ", defects),
        };
        return (sequence, recorded);
    }

    private static string? Text(JsonElement headers, string name) =>
        headers.ValueKind == JsonValueKind.Object && headers.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
