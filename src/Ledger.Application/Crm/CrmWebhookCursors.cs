using Npgsql;
using NodaTime;
using Weasel.Postgresql.Tables;
using Ledger.Domain.Common;

namespace Ledger.Application.Crm;

/// <summary>The next change owed to a CRM for one quote: the change, and the cursor it was read under (null: the quote has none yet).</summary>
/// <param name="TraceParent">The span that appended the change's event, when it was traced.</param>
public sealed record DueDelivery(string QuoteId, long Position, string Document, long? CursorVersion, int Attempts, string? TraceParent = null);

/// <summary>A quote whose delivery ran out of attempts: its next change waits, and every later one behind it, until replayed.</summary>
public sealed record DeadLetter(string QuoteId, long Position, string EventType, Guid ChangeId, int Attempts, string? LastError, DateTimeOffset DeadSince, long Held);

/// <summary>
/// Per CRM and quote, how far the CRM has acknowledged (ADR/0020): change N+1 of a quote is sent only once N was
/// acknowledged, so order per quote holds across retries, dead letters and replays. Every write compares the cursor's
/// version, so a replay that moves a cursor back is never undone by a delivery that was in flight.
/// </summary>
public sealed class CrmWebhookCursors(NpgsqlDataSource db)
{
    public const string Table = "ledger.crm_webhook_cursors";

    public static Table Schema()
    {
        var cursors = new Table(Table);
        cursors.AddColumn<string>("crm").AsPrimaryKey();
        cursors.AddColumn<string>("quote_id").AsPrimaryKey();
        cursors.AddColumn<long>("delivered_through").NotNull();
        cursors.AddColumn<long>("version").NotNull().DefaultValue(1);
        cursors.AddColumn<int>("attempts").NotNull().DefaultValue(0);
        cursors.AddColumn("next_attempt_at", "timestamptz");
        cursors.AddColumn<string>("last_error");
        cursors.AddColumn("dead_since", "timestamptz");
        return cursors;
    }

    /// <summary>For each quote of the CRM with something owed and due, the one change to send next (its oldest undelivered).</summary>
    public async Task<IReadOnlyList<DueDelivery>> DueAsync(string crm, long startAfter, Instant now, int limit, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"""
            select distinct on (c.quote_id) c.quote_id, c.position, c.document::text, k.version, coalesce(k.attempts, 0), c.trace_parent
            from {CrmChangeStore.ChangesTable} c
            left join {Table} k on k.crm = c.crm and k.quote_id = c.quote_id
            where c.crm = $1 and c.position > coalesce(k.delivered_through, $2)
              and k.dead_since is null and (k.next_attempt_at is null or k.next_attempt_at <= $3)
            order by c.quote_id, c.position
            limit $4
            """);
        foreach (var value in new object[] { crm, startAfter, now.ToDateTimeOffset(), limit }) command.Parameters.Add(new NpgsqlParameter { Value = value });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var due = new List<DueDelivery>();
        while (await reader.ReadAsync(ct))
            due.Add(new DueDelivery(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetInt64(3), reader.GetInt32(4),
                reader.IsDBNull(5) ? null : reader.GetString(5)));
        return due;
    }

    /// <summary>The CRM acknowledged the change: the quote's next one may go.</summary>
    public Task AcknowledgedAsync(string crm, DueDelivery delivery, CancellationToken ct) =>
        delivery.CursorVersion is { } version
            ? ExecuteAsync($"update {Table} set delivered_through = $3, attempts = 0, next_attempt_at = null, last_error = null, version = version + 1 " +
                           "where crm = $1 and quote_id = $2 and version = $4", ct, crm, delivery.QuoteId, delivery.Position, version)
            : ExecuteAsync($"insert into {Table} (crm, quote_id, delivered_through) values ($1, $2, $3) on conflict do nothing", ct,
                crm, delivery.QuoteId, delivery.Position);

    /// <summary>The attempt failed: try again after the next delay, or dead-letter the quote's delivery when none is left.</summary>
    public Task FailedAsync(string crm, long startAfter, DueDelivery delivery, string error, Instant? retryAt, Instant now, CancellationToken ct)
    {
        var attempts = delivery.Attempts + 1;
        object next = retryAt is { } at ? at.ToDateTimeOffset() : DBNull.Value;
        object dead = retryAt is null ? now.ToDateTimeOffset() : DBNull.Value;
        return delivery.CursorVersion is { } version
            ? ExecuteAsync($"update {Table} set attempts = $3, next_attempt_at = $4, dead_since = $5, last_error = $6, version = version + 1 " +
                           "where crm = $1 and quote_id = $2 and version = $7", ct, crm, delivery.QuoteId, attempts, next, dead, error, version)
            : ExecuteAsync($"insert into {Table} (crm, quote_id, delivered_through, attempts, next_attempt_at, dead_since, last_error) " +
                           "values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing", ct, crm, delivery.QuoteId, startAfter, attempts, next, dead, error);
    }

    public async Task<IReadOnlyList<DeadLetter>> DeadLettersAsync(string crm, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"""
            select k.quote_id, c.position, c.event_type, c.change_id, k.attempts, k.last_error, k.dead_since,
                   (select count(*) from {CrmChangeStore.ChangesTable} h where h.crm = k.crm and h.quote_id = k.quote_id and h.position > k.delivered_through)
            from {Table} k
            join lateral (select position, event_type, change_id from {CrmChangeStore.ChangesTable} n
                          where n.crm = k.crm and n.quote_id = k.quote_id and n.position > k.delivered_through order by n.position limit 1) c on true
            where k.crm = $1 and k.dead_since is not null
            order by k.dead_since, k.quote_id
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = crm });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var dead = new List<DeadLetter>();
        while (await reader.ReadAsync(ct))
            dead.Add(new DeadLetter(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetGuid(3), reader.GetInt32(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetFieldValue<DateTimeOffset>(6), reader.GetInt64(7)));
        return dead;
    }

    /// <summary>Dead-lettered quotes per CRM, across every CRM: for /health and /metrics.</summary>
    public async Task<IReadOnlyDictionary<string, long>> DeadLetterCountsAsync(CancellationToken ct)
    {
        await using var command = db.CreateCommand($"select crm, count(*) from {Table} where dead_since is not null group by crm order by crm");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct)) counts[reader.GetString(0)] = reader.GetInt64(1);
        return counts;
    }

    /// <summary>Sends a dead-lettered quote's held changes again, from the one that failed, with a fresh schedule. False: it was not dead-lettered.</summary>
    public async Task<bool> ReplayDeadLetterAsync(string crm, string quoteId, CancellationToken ct) =>
        await ExecuteAsync($"update {Table} set dead_since = null, attempts = 0, next_attempt_at = null, last_error = null, version = version + 1 " +
                           "where crm = $1 and quote_id = $2 and dead_since is not null", ct, crm, quoteId) > 0;

    /// <summary>
    /// Every change of the CRM after <paramref name="after"/> goes again, in order per quote: each quote's cursor moves back to
    /// it (never forward), fresh schedule, dead letters cleared. Quotes without a cursor get one at their implicit position
    /// (<paramref name="startAfter"/>, already lowered to the replay's), so that a first delivery in flight cannot put its quote
    /// past the replay, and a quote never delivered is not passed over.
    /// </summary>
    public Task<int> ReplayFromAsync(string crm, long after, long startAfter, CancellationToken ct) =>
        ExecuteAsync($"""
            insert into {Table} as k (crm, quote_id, delivered_through)
            select distinct crm, quote_id, least($2::bigint, $3::bigint) from {CrmChangeStore.ChangesTable} where crm = $1
            on conflict (crm, quote_id) do update set delivered_through = least(k.delivered_through, $2::bigint),
                attempts = 0, next_attempt_at = null, last_error = null, dead_since = null, version = k.version + 1
            """, ct, crm, after, startAfter);

    private async Task<int> ExecuteAsync(string sql, CancellationToken ct, params object[] values)
    {
        await using var command = db.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return await command.ExecuteNonQueryAsync(ct);
    }
}
