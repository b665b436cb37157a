using Npgsql;
using Weasel.Postgresql.Tables;

namespace Ledger.Application.Reactions;

/// <summary>A reaction the processor gave up on after its attempts: listed by <c>ledger reactions</c>, retried on demand.</summary>
public sealed record ParkedReaction(long Id, string Reactor, Guid EventId, string StreamId, long Position, string EventType, string Error, int Attempts,
    DateTimeOffset ParkedAt);

/// <summary>
/// Where the reaction processor is in the log, and what it parked (ADR/0017). Plain tables beside the answers: the position
/// is saved after the reactions it covers committed, so a crash repeats at most the reactions since, and those find their
/// stored answers.
/// </summary>
public sealed class ReactionStore(NpgsqlDataSource db)
{
    public const string CheckpointTable = "ledger.reaction_checkpoints";
    public const string ParkedTable = "ledger.reactions_parked";

    public static IEnumerable<Table> Schema()
    {
        var checkpoints = new Table(CheckpointTable);
        checkpoints.AddColumn<string>("name").AsPrimaryKey();
        checkpoints.AddColumn<long>("position").NotNull();
        checkpoints.AddColumn("updated_at", "timestamptz").NotNull().DefaultValueByExpression("now()");
        yield return checkpoints;

        var parked = new Table(ParkedTable);
        parked.AddColumn("id", "bigserial").AsPrimaryKey();
        parked.AddColumn<string>("reactor").NotNull();
        parked.AddColumn<Guid>("event_id").NotNull();
        parked.AddColumn<string>("stream_id").NotNull();
        parked.AddColumn<long>("position").NotNull();
        parked.AddColumn<string>("event_type").NotNull();
        parked.AddColumn<string>("error").NotNull();
        parked.AddColumn<int>("attempts").NotNull();
        parked.AddColumn("parked_at", "timestamptz").NotNull().DefaultValueByExpression("now()");
        yield return parked;
    }

    public async Task<long> PositionAsync(string name, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"select position from {CheckpointTable} where name = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        return await command.ExecuteScalarAsync(ct) is long position ? position : 0;
    }

    /// <summary>Saves where the processor is, without waiting for the flush (ADR/0027): a lost save only repeats reactions, which find their answers.</summary>
    public async Task SavePositionAsync(string name, long position, CancellationToken ct)
    {
        await using var batch = db.CreateBatch();
        // One implicit transaction for the batch: the setting holds for the save.
        batch.BatchCommands.Add(new NpgsqlBatchCommand(Ledger.EventStore.Writing.DurabilitySql.CommitWithoutWaitingForFlush));
        var save = new NpgsqlBatchCommand(
            $"insert into {CheckpointTable} (name, position) values ($1, $2) on conflict (name) do update set position = excluded.position, updated_at = now()");
        save.Parameters.Add(new NpgsqlParameter { Value = name });
        save.Parameters.Add(new NpgsqlParameter { Value = position });
        batch.BatchCommands.Add(save);
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Returns once everything committed so far is on disk, asynchronous commits included (ADR/0027): one small write
    /// committed synchronously, whose flush covers every WAL record before it. Whoever signs the store's state (an
    /// anchor) calls it first, so that no server crash can take back a head it signed.
    /// </summary>
    public async Task FlushCommittedAsync(CancellationToken ct)
    {
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(Ledger.EventStore.Writing.DurabilitySql.CommitWaitingForFlush));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            $"insert into {CheckpointTable} (name, position) values ('flushed', 0) on conflict (name) do update set updated_at = now()"));
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Which of these reaction keys have a stored answer (the reaction ran).</summary>
    public async Task<IReadOnlySet<string>> AnsweredAsync(IEnumerable<string> keys, CancellationToken ct)
    {
        var wanted = keys.Distinct().ToArray();
        var answered = new HashSet<string>(StringComparer.Ordinal);
        if (wanted.Length == 0) return answered;
        await using var command = db.CreateCommand($"select key from {Ledger.EventStore.Writing.AnswerTable.Name} where client = 'ledger' and key = any($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = wanted });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) answered.Add(reader.GetString(0));
        return answered;
    }

    public async Task ParkAsync(string reactor, Ledger.EventStore.RecordedEvent cause, Exception error, int attempts, CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            $"insert into {ParkedTable} (reactor, event_id, stream_id, position, event_type, error, attempts) values ($1, $2, $3, $4, $5, $6, $7)");
        foreach (var value in new object[] { reactor, cause.EventId, cause.StreamId, (long)cause.Position.Value, cause.Type, error.Message, attempts })
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<ParkedReaction>> ParkedAsync(CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            $"select id, reactor, event_id, stream_id, position, event_type, error, attempts, parked_at from {ParkedTable} order by id");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var parked = new List<ParkedReaction>();
        while (await reader.ReadAsync(ct))
            parked.Add(new ParkedReaction(reader.GetInt64(0), reader.GetString(1), reader.GetGuid(2), reader.GetString(3), reader.GetInt64(4),
                reader.GetString(5), reader.GetString(6), reader.GetInt32(7), reader.GetFieldValue<DateTimeOffset>(8)));
        return parked;
    }

    public async Task<long> ParkedCountAsync(CancellationToken ct)
    {
        await using var command = db.CreateCommand($"select count(*) from {ParkedTable}");
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    public async Task RemoveParkedAsync(long id, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"delete from {ParkedTable} where id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await command.ExecuteNonQueryAsync(ct);
    }
}
