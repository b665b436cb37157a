using Npgsql;

namespace Ledger.EventStore.Writing;

/// <summary>
/// A command against a backend that cannot share a transaction with PostgreSQL (EventStoreDB): the stream is read
/// once through the backend, the events append at the revision read and chain from the tail read, and the answer
/// is stored in PostgreSQL after them. A crash in between loses only the answer; the retry finds its events by
/// their derived ids (ADR/0009).
/// </summary>
public sealed class PortWriteSessions(HashChainingEventStore store, NpgsqlDataSource answers) : IWriteSessions
{
    /// <remarks>EventStoreDB decides when its events are durable; the answer stored after them is small and keyed, so it keeps the default.</remarks>
    public IWriteSession Open(AnswerKey? key, Durability durability) => new PortWriteSession(store, answers, key);

    /// <summary>None: the events append to EventStoreDB one stream at a time, outside any PostgreSQL transaction.</summary>
    public IWriteGroup? OpenGroup() => null;
}

internal sealed class PortWriteSession(HashChainingEventStore store, NpgsqlDataSource answers, AnswerKey? key) : IWriteSession
{
    private bool _answerLookedUp;
    private StoredAnswer? _answer;
    private NpgsqlConnection? _connection;
    private NpgsqlTransaction? _transaction;

    public async Task<StoredAnswer?> FindAnswerAsync(CancellationToken ct)
    {
        if (_answerLookedUp || key is null) return _answer;
        await using var batch = answers.CreateBatch();
        batch.BatchCommands.Add(AnswerTable.Find(key));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        _answer = await AnswerTable.ReadAsync(reader, ct);
        _answerLookedUp = true;
        return _answer;
    }

    public async Task<StreamSnapshot> ReadAsync(string streamId, bool forWrite, CancellationToken ct)
    {
        var answer = FindAnswerAsync(ct);
        var events = await store.ReadWholeStreamListAsync(streamId, ct);
        await answer;
        return new StreamSnapshot(streamId, events);
    }

    public async Task<IReadOnlyList<RecordedEvent>> ReadNewAsync(string streamId, long afterRevision, CancellationToken ct)
    {
        const int page = 1000;
        var events = new List<RecordedEvent>();
        while (await store.ReadStreamAsync(streamId, ReadDirection.Forwards, new StreamRevision(afterRevision + 1), page, ct) is ReadStreamResult.Found found)
        {
            events.AddRange(found.Events);
            if (found.Events.Count < page) break;
            afterRevision = found.Events[^1].Revision;
        }
        return events;
    }

    public async Task<AppendResult.Success> AppendAsync(StreamSnapshot read, IReadOnlyList<EventToAppend> events, CancellationToken ct) =>
        await store.Backend.AppendAsync(read.StreamId, ExpectedRevision.After(read.LastRevision), HashChainingEventStore.Chain(events, read.TailHash), ct) switch
        {
            AppendResult.Success success => success,
            _ => throw new WriteConflictException($"{read.StreamId} changed while the command was decided."),
        };

    /// <summary>Begun only when something must commit with the answer (durable messages); the events are in EventStoreDB already.</summary>
    public async Task<System.Data.Common.DbTransaction> TransactionAsync(CancellationToken ct)
    {
        if (_transaction is not null) return _transaction;
        _connection = await answers.OpenConnectionAsync(ct);
        return _transaction = await _connection.BeginTransactionAsync(ct);
    }

    public async Task CommitAsync(StoredAnswer? answer, CancellationToken ct)
    {
        if (answer is not null && key is not null)
        {
            await using var batch = _connection is null ? answers.CreateBatch() : new NpgsqlBatch(_connection, _transaction);
            var insert = AnswerTable.Insert(key, answer);
            insert.CommandText += " on conflict (client, key) do nothing";
            batch.BatchCommands.Add(insert);
            // A concurrent attempt with the same key stored its answer first (its events are the same, by their derived
            // ids): run again, which finds that answer and replays it, so every attempt answers alike, as in PostgreSQL mode.
            // Nothing of this attempt commits: its durable messages were the winner's to send.
            if (await batch.ExecuteNonQueryAsync(ct) == 0)
                throw new WriteConflictException($"Another attempt with the key '{key.Key}' stored its answer first.");
        }
        if (_transaction is not null) await _transaction.CommitAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null) await _transaction.DisposeAsync();
        if (_connection is not null) await _connection.DisposeAsync();
    }
}
