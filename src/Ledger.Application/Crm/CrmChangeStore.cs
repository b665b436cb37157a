using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql.Tables;
using Ledger.Domain.Common;

namespace Ledger.Application.Crm;

/// <summary>A change to record: the event's position and id, the quote's owner, the document, and the key it names an owner under (if any).</summary>
/// <param name="TraceParent">The span that appended the event (ADR/0025): the webhook delivery's span is its child.</param>
public sealed record CrmChangeRecord(long Position, Guid ChangeId, string EventType, QuoteOwner Owner, string Document, string? NamesKey, string? TraceParent = null);

/// <summary>A recorded change as stored: its log position, its quote and its document.</summary>
public sealed record StoredCrmChange(long Position, string QuoteId, string Document);

/// <summary>
/// The CRM change log (ADR/0020): every change to a CRM's quotes, keyed by its position in the ledger's log, with the owners
/// that place later events and the recorder's checkpoint, written in one transaction per batch of changes so that a repeat after a
/// crash records nothing twice.
/// </summary>
public sealed class CrmChangeStore(NpgsqlDataSource db)
{
    public const string ChangesTable = "ledger.crm_changes";
    public const string OwnersTable = "ledger.crm_quote_owners";
    public const string CheckpointName = "crm-changes";

    public static IEnumerable<Table> Schema()
    {
        var changes = new Table(ChangesTable);
        changes.AddColumn<long>("position").AsPrimaryKey();
        changes.AddColumn<Guid>("change_id").NotNull();
        changes.AddColumn<string>("crm").NotNull();
        changes.AddColumn<string>("quote_id").NotNull();
        changes.AddColumn<string>("event_type").NotNull();
        changes.AddColumn("document", "json").NotNull();
        // Telemetry, not evidence: the traceparent the event was appended under, so the push joins the command's trace.
        changes.AddColumn<string>("trace_parent");
        changes.Indexes.Add(new IndexDefinition("ix_crm_changes_crm_position") { Columns = ["crm", "position"] });
        changes.Indexes.Add(new IndexDefinition("ix_crm_changes_crm_quote") { Columns = ["crm", "quote_id", "position"] });
        yield return changes;

        var owners = new Table(OwnersTable);
        owners.AddColumn<string>("key").AsPrimaryKey();
        owners.AddColumn<string>("crm").NotNull();
        owners.AddColumn<string>("quote_id").NotNull();
        yield return owners;
    }

    public async Task<QuoteOwner?> OwnerAsync(string key, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"select crm, quote_id from {OwnersTable} where key = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new QuoteOwner(reader.GetString(0), reader.GetString(1)) : null;
    }

    /// <summary>
    /// Records changes (and the owners they name) and moves the checkpoint to <paramref name="checkpoint"/>, in one
    /// transaction; a change already recorded (a repeat after a crash) is left as it is. Derived from the log, it commits
    /// without waiting for the flush (ADR/0027): a lost batch is recorded again from the checkpoint, with the same ids.
    /// </summary>
    public async Task RecordAsync(IReadOnlyList<CrmChangeRecord> records, long checkpoint, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var batch = new NpgsqlBatch(connection, transaction);
        await using (batch)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(Ledger.EventStore.Writing.DurabilitySql.CommitWithoutWaitingForFlush));
            foreach (var record in records)
            {
                if (record.NamesKey is not null)
                    batch.BatchCommands.Add(Command($"insert into {OwnersTable} (key, crm, quote_id) values ($1, $2, $3) on conflict (key) do nothing",
                        record.NamesKey, record.Owner.Crm, record.Owner.QuoteId));
                var insert = Command($"insert into {ChangesTable} (position, change_id, crm, quote_id, event_type, document, trace_parent) values ($1, $2, $3, $4, $5, $6, $7) on conflict (position) do nothing",
                    record.Position, record.ChangeId, record.Owner.Crm, record.Owner.QuoteId, record.EventType);
                insert.Parameters.Add(new NpgsqlParameter { Value = record.Document, NpgsqlDbType = NpgsqlDbType.Json });
                insert.Parameters.Add(new NpgsqlParameter { Value = (object?)record.TraceParent ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
                batch.BatchCommands.Add(insert);
            }
            batch.BatchCommands.Add(CheckpointCommand(checkpoint));
            await batch.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
    }

    public async Task<long> CheckpointAsync(CancellationToken ct)
    {
        await using var command = db.CreateCommand($"select position from {Reactions.ReactionStore.CheckpointTable} where name = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = CheckpointName });
        return await command.ExecuteScalarAsync(ct) is long position ? position : 0;
    }

    /// <summary>Moves the checkpoint past events that changed no CRM's quote (never back).</summary>
    public async Task SaveCheckpointAsync(long position, CancellationToken ct)
    {
        await using var command = db.CreateCommand(SaveCheckpointSql);
        command.Parameters.Add(new NpgsqlParameter { Value = CheckpointName });
        command.Parameters.Add(new NpgsqlParameter { Value = position });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The position of the CRM's latest recorded change; 0 when it has none.</summary>
    public async Task<long> LatestPositionAsync(string crm, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"select coalesce(max(position), 0) from {ChangesTable} where crm = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = crm });
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>One CRM's changes after a position, in log order (so in order per quote).</summary>
    public async Task<IReadOnlyList<StoredCrmChange>> PageAsync(string crm, long after, int limit, CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            $"select position, quote_id, document::text from {ChangesTable} where crm = $1 and position > $2 order by position limit $3");
        command.Parameters.Add(new NpgsqlParameter { Value = crm });
        command.Parameters.Add(new NpgsqlParameter { Value = after });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var page = new List<StoredCrmChange>();
        while (await reader.ReadAsync(ct)) page.Add(new StoredCrmChange(reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
        return page;
    }

    private const string SaveCheckpointSql =
        $"insert into {Reactions.ReactionStore.CheckpointTable} as saved (name, position) values ($1, $2) " +
        "on conflict (name) do update set position = greatest(saved.position, excluded.position), updated_at = now()";

    private static NpgsqlBatchCommand CheckpointCommand(long position) => Command(SaveCheckpointSql, CheckpointName, position);

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }
}
