using Ledger.EventStore.Writing;
using Npgsql;

namespace Ledger.EventStore.Marten;

/// <summary>
/// One command as one PostgreSQL transaction (ADR/0016): the first round trip begins it, takes the transaction id
/// (the gap rule, ADR/0005), locks the stream row, looks up the answer and reads the events; Marten appends in the
/// same transaction; the answer is inserted and everything commits together. Nothing is held between requests.
/// </summary>
public sealed class MartenWriteSessions(NpgsqlDataSource dataSource, MartenEventWriterFactory writers) : IWriteSessions
{
    public IWriteSession Open(AnswerKey? key, Durability durability) => new MartenWriteSession(dataSource, writers.Writer, writers.Schema, key, durability);

    public IWriteGroup? OpenGroup() => new MartenWriteGroup(dataSource, writers.Writer, writers.Schema);
}

/// <summary>
/// Derived units sharing one transaction: each member session begins nothing and commits nothing of its own; the group
/// begins the transaction with its first member's first round trip and commits it once, for all of them.
/// </summary>
internal sealed class MartenWriteGroup(NpgsqlDataSource dataSource, MartenEventWriter writer, string schema) : IWriteGroup
{
    private NpgsqlConnection? _connection;
    private NpgsqlTransaction? _transaction;
    private bool _appended;

    public IWriteSession Open(AnswerKey key) => new MartenWriteSession(dataSource, writer, schema, key, Durability.Derived, this);

    internal async Task<(NpgsqlConnection, NpgsqlTransaction)> BeginAsync(CancellationToken ct)
    {
        if (_connection is null)
        {
            _connection = await dataSource.OpenConnectionAsync(ct);
            _transaction = await _connection.BeginTransactionAsync(ct);
        }
        return (_connection, _transaction!);
    }

    internal void Appended() => _appended = true;

    public async Task CommitAsync(CancellationToken ct)
    {
        if (_transaction is null) return;
        try
        {
            await _transaction.CommitAsync(ct);
        }
        catch (Exception e) when (MartenWriteSession.IsConflict(e))
        {
            throw new WriteConflictException("A unit of the group lost its race at the commit.", e);
        }
        if (_appended) writer.Committed();
    }

    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null) await _transaction.DisposeAsync();
        if (_connection is not null) await _connection.DisposeAsync();
    }
}

/// <summary>Builds the one <see cref="MartenEventWriter"/> write sessions share (it is internal to the backend).</summary>
public sealed class MartenEventWriterFactory(global::Marten.IDocumentStore store, EventSerializer serializer)
{
    internal MartenEventWriter Writer { get; } = new(store, serializer);

    internal string Schema { get; } = store.Options.Events.DatabaseSchemaName;
}

/// <param name="group">The group whose transaction this unit shares, if any: then the group begins and commits it.</param>
internal sealed class MartenWriteSession(NpgsqlDataSource dataSource, MartenEventWriter writer, string schema, AnswerKey? key, Durability durability,
    MartenWriteGroup? group = null) : IWriteSession
{
    private NpgsqlConnection? _connection;
    private NpgsqlTransaction? _transaction;
    private bool _transactionIdTaken;
    private bool _answerLookedUp;
    private bool _appended;
    private StoredAnswer? _answer;

    public async Task<StoredAnswer?> FindAnswerAsync(CancellationToken ct)
    {
        if (!_answerLookedUp && key is not null) await RunAsync(null, false, ct);
        return _answer;
    }

    public async Task<StreamSnapshot> ReadAsync(string streamId, bool forWrite, CancellationToken ct) =>
        (await RunAsync(streamId, forWrite, ct))!;

    public async Task<IReadOnlyList<RecordedEvent>> ReadNewAsync(string streamId, long afterRevision, CancellationToken ct) =>
        (await RunAsync(streamId, false, ct, afterRevision))!.Events;

    public async Task<AppendResult.Success> AppendAsync(StreamSnapshot read, IReadOnlyList<EventToAppend> events, CancellationToken ct)
    {
        var chained = HashChainingEventStore.Chain(events, read.TailHash);
        try
        {
            var (written, refused) = await writer.AppendAsync(_transaction!, read.StreamId, ExpectedRevision.After(read.LastRevision), chained,
                writer.Bodies(chained), ct);
            if (refused is not null) throw new WriteConflictException($"{read.StreamId} changed while the command was decided.");
            _appended = true;
            var last = written![^1];
            return new AppendResult.Success(last.Version - 1, new GlobalPosition((ulong)last.Sequence), Deduplicated: false);
        }
        catch (Exception e) when (IsConflict(e))
        {
            throw new WriteConflictException($"{read.StreamId} changed while the command was decided.", e);
        }
    }

    public async Task<System.Data.Common.DbTransaction> TransactionAsync(CancellationToken ct)
    {
        await BeginAsync(ct);
        return _transaction!;
    }

    public async Task CommitAsync(StoredAnswer? answer, CancellationToken ct)
    {
        if (_transaction is null && (answer is null || key is null)) return;
        await BeginAsync(ct);
        try
        {
            if (answer is not null && key is not null)
            {
                await using var batch = new NpgsqlBatch(_connection, _transaction) { BatchCommands = { AnswerTable.Insert(key, answer) } };
                // Derived units said so in their first round trip (if they had one); a unit that appended nothing says it here.
                if (!DurabilitySql.WaitsForFlush(durability, _appended) && !(_transactionIdTaken && durability == Durability.Derived))
                    batch.BatchCommands.Insert(0, new NpgsqlBatchCommand(DurabilitySql.CommitWithoutWaitingForFlush));
                await batch.ExecuteNonQueryAsync(ct);
            }
            if (group is not null)
            {
                if (_appended) group.Appended();
                return;
            }
            await _transaction!.CommitAsync(ct);
            if (_appended) writer.Committed();
        }
        catch (Exception e) when (IsConflict(e))
        {
            throw new WriteConflictException("Another attempt with the same Idempotency-Key answered first.", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (group is not null) return; // the group's transaction: the group ends it
        if (_transaction is not null) await _transaction.DisposeAsync();
        if (_connection is not null) await _connection.DisposeAsync();
    }

    private async Task BeginAsync(CancellationToken ct)
    {
        if (_connection is not null) return;
        if (group is not null)
        {
            (_connection, _transaction) = await group.BeginAsync(ct);
            return;
        }
        _connection = await dataSource.OpenConnectionAsync(ct);
        _transaction = await _connection.BeginTransactionAsync(ct);
    }

    /// <summary>
    /// A batch in the session's transaction; the first one begins with taking the transaction id, so that it is held
    /// before Marten draws any sequence value (the gap rule, ADR/0005).
    /// </summary>
    private async Task<NpgsqlBatch> NewBatchAsync(CancellationToken ct)
    {
        await BeginAsync(ct);
        var batch = new NpgsqlBatch(_connection, _transaction);
        if (!_transactionIdTaken) batch.BatchCommands.Add(new NpgsqlBatchCommand(TakeTransactionId));
        return batch;
    }

    // With it, the transaction is marked as the ledger's own writer, so the quarantine trigger lets its rows through
    // (ADR/0025), and derived work commits without waiting for its flush (ADR/0027), all in the first round trip.
    private string TakeTransactionId => durability == Durability.Derived ? TakeTransactionIdDerived : TakeTransactionIdAcknowledged;

    private const string TakeTransactionIdAcknowledged = $"select pg_current_xact_id(), ({UnattestedEventQuarantine.AttestWrites})";

    private const string TakeTransactionIdDerived =
        $"select pg_current_xact_id(), ({UnattestedEventQuarantine.AttestWrites}), ({DurabilitySql.CommitWithoutWaitingForFlush})";

    private async Task SkipTransactionIdAsync(NpgsqlBatch batch, NpgsqlDataReader reader, CancellationToken ct)
    {
        if (batch.BatchCommands[0].CommandText != TakeTransactionId) return;
        await reader.NextResultAsync(ct);
        _transactionIdTaken = true;
    }

    /// <summary>One round trip: [transaction id,] the stream's lock, the stored answer (first time), the events after <paramref name="afterRevision"/>.</summary>
    private async Task<StreamSnapshot?> RunAsync(string? streamId, bool forWrite, CancellationToken ct, long afterRevision = -1)
    {
        await using var batch = await NewBatchAsync(ct);
        // Lock before looking up the answer: a concurrent attempt with the same key then commits its answer first.
        if (streamId is not null && forWrite)
        {
            var lockRow = new NpgsqlBatchCommand($"select version from {schema}.mt_streams where id = $1 for update");
            lockRow.Parameters.Add(new NpgsqlParameter { Value = streamId });
            batch.BatchCommands.Add(lockRow);
        }
        var findAnswer = !_answerLookedUp && key is not null;
        if (findAnswer) batch.BatchCommands.Add(AnswerTable.Find(key!));
        if (streamId is not null)
        {
            var events = new NpgsqlBatchCommand($"{EventRows.Select(schema)} where stream_id = $1 and version > $2 order by version");
            events.Parameters.Add(new NpgsqlParameter { Value = streamId });
            events.Parameters.Add(new NpgsqlParameter { Value = afterRevision + 1 });
            batch.BatchCommands.Add(events);
        }
        try
        {
            await using var reader = await batch.ExecuteReaderAsync(ct);
            await SkipTransactionIdAsync(batch, reader, ct);
            if (streamId is not null && forWrite) await reader.NextResultAsync(ct);
            if (findAnswer)
            {
                _answer = await AnswerTable.ReadAsync(reader, ct);
                await reader.NextResultAsync(ct);
            }
            _answerLookedUp = true;
            if (streamId is null) return null;
            var found = new List<RecordedEvent>();
            while (await reader.ReadAsync(ct)) found.Add(EventRows.Read(reader).Event);
            return new StreamSnapshot(streamId, found);
        }
        catch (Exception e) when (IsConflict(e))
        {
            throw new WriteConflictException($"{streamId} is locked in a cycle with another command.", e);
        }
    }

    internal static bool IsConflict(Exception e) => MartenBackend.IsConflict(e) ||
        e is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure };
}
