using Ledger.EventStore.Replication;
using Marten;
using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql.Tables;

namespace Ledger.EventStore.Marten;

/// <summary>
/// Marten's event tables as the replica of another event store (EventStoreDB in production, ADR/0010). A batch
/// is written through the backend's own append path (<see cref="MartenEventWriter"/>) at the events' original
/// revisions, with their original ids, metadata and hashes, and the checkpoint moves in the same transaction.
/// An event already present with the same id at the same revision is skipped, so a batch replayed after a crash
/// between commit and acknowledgement changes nothing; anything else that disagrees with the target fails the
/// whole batch rather than copying around it.
/// </summary>
public sealed class MartenReplicationTarget : IReplicationTarget
{
    public const string CheckpointTableName = "replication_checkpoints";

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _schema;
    private readonly MartenEventWriter _writer;
    private readonly EventSerializer _serializer;

    public MartenReplicationTarget(IDocumentStore store, NpgsqlDataSource dataSource, EventSerializer serializer)
    {
        _dataSource = dataSource;
        _schema = store.Options.Events.DatabaseSchemaName;
        _writer = new MartenEventWriter(store, serializer);
        _serializer = serializer;
    }

    /// <summary>Called for every event copied as a <see cref="ForeignEventStandIn"/> (for logs and meters).</summary>
    public Action<RecordedEvent, string>? ForeignEventCopied { get; set; }

    /// <summary>One row per replicator: the source position of the last event it has copied.</summary>
    public static Table CheckpointTable(string schema)
    {
        var table = new Table($"{schema}.{CheckpointTableName}");
        table.AddColumn<string>("name").AsPrimaryKey();
        table.AddColumn<long>("position").NotNull();
        table.AddColumn("updated_at", "timestamptz").NotNull().DefaultValueByExpression("now()");
        return table;
    }

    public async Task<GlobalPosition> LoadCheckpointAsync(string replicator, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand($"select position from {_schema}.{CheckpointTableName} where name = @name");
        command.Parameters.AddWithValue("name", replicator);
        return await command.ExecuteScalarAsync(ct) is long position ? new GlobalPosition((ulong)position) : GlobalPosition.Start;
    }

    public async Task ApplyAsync(string replicator, IReadOnlyList<RecordedEvent> batch, CancellationToken ct)
    {
        if (batch.Count == 0) return;
        for (var i = 1; i < batch.Count; i++)
            if (batch[i].Position.CompareTo(batch[i - 1].Position) <= 0)
                throw new ArgumentException(
                    $"The batch is not in source order: position {batch[i].Position} follows {batch[i - 1].Position}.", nameof(batch));
        var last = checked((long)batch[^1].Position.Value);

        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var transaction = await MartenEventWriter.BeginAsync(connection, ct);

        // Two replicators of one name would copy the same events; the row lock makes the second wait for the
        // first and then find its events present.
        await LockCheckpointAsync(connection, transaction, replicator, ct);

        var present = await FindPresentAsync(connection, transaction, batch, ct);
        var tails = await StreamTailsAsync(connection, transaction, batch, ct);

        var run = new List<RecordedEvent>();
        foreach (var e in batch)
        {
            if (present.TryGetValue(e.EventId, out var stored))
            {
                // Same id at the same place with the same hash: copied before (a replay). Anything else means the
                // target holds a different history than the source; copying on would hide it.
                if (stored.StreamId != e.StreamId || stored.Revision != e.Revision || stored.Hash != e.Hash)
                    throw new ReplicationConflictException(
                        $"Event {e.EventId} is at '{e.StreamId}' revision {e.Revision} in the source but at '{stored.StreamId}' " +
                        $"revision {stored.Revision} (hash {stored.Hash}) in the target.");
                continue;
            }
            // Streams are appended in runs of consecutive events, one Marten save per run, so the target's
            // seq_id order is the source's order even when streams interleave.
            if (run.Count > 0 && run[^1].StreamId != e.StreamId)
            {
                await AppendRunAsync(transaction, run, tails, ct);
                run.Clear();
            }
            run.Add(e);
        }
        if (run.Count > 0) await AppendRunAsync(transaction, run, tails, ct);

        // Never backwards: replaying an older batch leaves the checkpoint where it is.
        await using (var save = new NpgsqlCommand(
                         $"update {_schema}.{CheckpointTableName} set position = greatest(position, @position), updated_at = now() where name = @name",
                         connection, transaction))
        {
            save.Parameters.AddWithValue("name", replicator);
            save.Parameters.AddWithValue("position", last);
            await save.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
        _writer.Committed();
    }

    private async Task AppendRunAsync(
        NpgsqlTransaction transaction, List<RecordedEvent> run, Dictionary<string, (long Revision, string Hash)> tails, CancellationToken ct)
    {
        var streamId = run[0].StreamId;
        var (current, tailHash) = tails.GetValueOrDefault(streamId, (-1, ""));
        for (var i = 0; i < run.Count; i++)
        {
            var expected = current + 1 + i;
            if (run[i].Revision != expected)
                throw new ReplicationConflictException(
                    $"Stream '{streamId}' needs revision {expected} next in the target, but the source's next event " +
                    $"({run[i].EventId}) is revision {run[i].Revision}: an event is missing or the target diverged.");
        }

        // The original ids, metadata and hashes: the chain is copied, never recomputed. What the ledger did not write goes in
        // as a stand-in at its revision, so the stream's later events still fit (ADR/0018), and quarantined: marked skipped,
        // as the trigger marks a row written around the ledger in PostgreSQL mode, so the views never apply it and the
        // quarantine's meter and health check count it (ADR/0025).
        var chained = new List<ChainedEvent>(run.Count);
        var standIns = new List<Guid>();
        foreach (var e in run)
        {
            var copy = ToCopy(e, tailHash);
            if (copy.Body is ForeignEventStandIn) standIns.Add(e.EventId);
            chained.Add(new ChainedEvent(copy, e.PreviousHash, e.Hash));
            // The next event is checked against what the source says this one is, so one bad event is one finding.
            tailHash = e.Hash;
        }
        var (written, refused) = await _writer.AppendAsync(
            transaction, streamId, ExpectedRevision.After(current), chained, _writer.Bodies(chained), ct);
        if (refused is not null || written is null)
            throw new ReplicationConflictException($"Stream '{streamId}' refused the copy at revision {current + 1}: {refused}.");
        tails[streamId] = (written[^1].Version - 1, tailHash);
        if (standIns.Count > 0)
        {
            await using var quarantine = new NpgsqlCommand($"update {_schema}.mt_events set is_skipped = true where id = any(@ids)", transaction.Connection, transaction);
            quarantine.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = standIns.ToArray() });
            await quarantine.ExecuteNonQueryAsync(ct);
        }
    }

    /// <param name="previousHash">The hash of the stream's event before <paramref name="e"/>, as the source holds it ("" for the first).</param>
    private EventToAppend ToCopy(RecordedEvent e, string previousHash)
    {
        var reason = e.Defect ?? (_serializer.TryRead(e, out _, out var unreadable) ? null : unreadable)
            // A readable event whose hash does not match it was not written as it reads now: the views must not apply it (ADR/0025).
            ?? (EventHash.Verify(e) ? null : "its stored hash does not match its type, data and metadata")
            // Nor one whose hash holds but does not chain from the event before it: made elsewhere and put in the stream.
            ?? (e.PreviousHash == previousHash ? null : $"it chains from '{e.PreviousHash}', not from the stream's previous event ('{previousHash}')");
        if (reason is null) return new EventToAppend(e.EventId, e.Type, e.Data, e.Metadata);
        ForeignEventCopied?.Invoke(e, reason);
        var standIn = new ForeignEventStandIn(e.Type, reason, Convert.ToBase64String(e.Data.Span));
        return new EventToAppend(e.EventId, ForeignEventStandIn.TypeName,
            System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(standIn, _serializer.Options), e.Metadata, standIn);
    }

    private async Task LockCheckpointAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string replicator, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"""
             insert into {_schema}.{CheckpointTableName} (name, position) values (@name, 0) on conflict (name) do nothing;
             select position from {_schema}.{CheckpointTableName} where name = @name for update;
             """, connection, transaction);
        command.Parameters.AddWithValue("name", replicator);
        await command.ExecuteNonQueryAsync(ct);
    }

    private async Task<Dictionary<Guid, (string StreamId, long Revision, string Hash)>> FindPresentAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<RecordedEvent> batch, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"select id, stream_id, version, coalesce(headers->>'{MartenBackend.Headers.Hash}', '') from {_schema}.mt_events where id = any(@ids)",
            connection, transaction);
        command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = batch.Select(e => e.EventId).ToArray() });
        var present = new Dictionary<Guid, (string, long, string)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            present[reader.GetGuid(0)] = (reader.GetString(1), Convert.ToInt64(reader.GetValue(2)) - 1, reader.GetString(3));
        return present;
    }

    /// <summary>Each stream's newest copied revision and that event's hash (what the next event must chain from).</summary>
    private async Task<Dictionary<string, (long Revision, string Hash)>> StreamTailsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<RecordedEvent> batch, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"""
             select s.id, s.version, coalesce(e.headers->>'{MartenBackend.Headers.Hash}', '')
             from {_schema}.mt_streams s left join {_schema}.mt_events e on e.stream_id = s.id and e.version = s.version
             where s.id = any(@streams)
             """, connection, transaction);
        command.Parameters.AddWithValue("streams", batch.Select(e => e.StreamId).Distinct(StringComparer.Ordinal).ToArray());
        var tails = new Dictionary<string, (long, string)>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) tails[reader.GetString(0)] = (Convert.ToInt64(reader.GetValue(1)) - 1, reader.GetString(2));
        return tails;
    }
}

/// <summary>The target's history disagrees with the source's: the batch is not applied and the checkpoint stays.</summary>
public sealed class ReplicationConflictException(string message) : Exception(message);
