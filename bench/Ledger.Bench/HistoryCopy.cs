using Npgsql;

namespace Ledger.Bench;

/// <summary>
/// Grows a store's history fast: copies the rows of journeys the real API wrote (events, streams, views, idempotency
/// keys) under fresh quote ids, in SQL, until the event table holds the number asked for. A copy's ids differ only in
/// the quote id, so streams, keys and documents stay unique and as large as real ones; the copies' hash chains do
/// not verify (their stream ids changed), which no command reads. Run it only while no daemon runs, then call
/// <see cref="MarkProjectedAsync"/>: the copies stand for history the projections already applied.
/// </summary>
public static class HistoryCopy
{
    /// <summary>
    /// Copies every row whose key holds <paramref name="runPrefix"/> (e.g. <c>Q-1a2b3c-</c>) until the store holds
    /// <paramref name="events"/> events; returns how many it holds.
    /// </summary>
    public static async Task<long> GrowAsync(NpgsqlDataSource db, string schema, string runPrefix, long events, Action<string> progress)
    {
        var like = $"%{runPrefix}%";
        var perCopy = await ScalarAsync(db, $"select count(*) from {schema}.mt_events where stream_id like @like", like);
        if (perCopy == 0) throw new InvalidOperationException($"No events of {runPrefix} to copy.");
        var tables = new HashSet<string>();
        await using (var query = db.CreateCommand("select table_name from information_schema.tables where table_schema = @schema"))
        {
            query.Parameters.AddWithValue("schema", schema);
            await using var reader = await query.ExecuteReaderAsync();
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        }
        // (table, the column naming the journey) in the order a copy must respect: streams before their events.
        (string Table, string Key)[] copied =
        [
            ("mt_streams", "id"), ("mt_events", "stream_id"), ("idempotency_keys", "key"),
            .. tables.Where(t => t.StartsWith("mt_doc_", StringComparison.Ordinal)).Order().Select(t => (t, "id")),
        ];
        var call = $"{Guid.NewGuid():N}"[..4]; // copies of another call get other ids
        var inserts = new List<string>();
        foreach (var (table, key) in copied.Where(t => tables.Contains(t.Table)))
        {
            var columns = await ColumnsAsync(db, schema, table);
            inserts.Add(
                $"insert into {schema}.{table} ({string.Join(", ", columns.Select(c => c.Name))}) " +
                $"select {string.Join(", ", columns.Select(c => Copied(c.Name, c.Type, schema, runPrefix, call)))} " +
                $"from {schema}.{table} cross join generate_series(@first, @last) as k where {key}::text like @like");
        }

        var copy = 0L;
        var total = await ScalarAsync(db, $"select count(*) from {schema}.mt_events", null);
        const int CopiesPerStatement = 100;
        while (total < events)
        {
            var copies = Math.Min(CopiesPerStatement, (events - total + perCopy - 1) / perCopy);
            foreach (var sql in inserts)
            {
                await using var insert = db.CreateCommand(sql);
                insert.Parameters.AddWithValue("first", copy + 1);
                insert.Parameters.AddWithValue("last", copy + copies);
                insert.Parameters.AddWithValue("like", like);
                insert.CommandTimeout = 0;
                await insert.ExecuteNonQueryAsync();
            }
            copy += copies;
            total += copies * perCopy;
            progress($"history: {total:N0} events");
        }
        return await ScalarAsync(db, $"select count(*) from {schema}.mt_events", null);
    }

    /// <summary>Moves every projection's progress (and the daemon's high-water mark) to the newest event.</summary>
    public static async Task MarkProjectedAsync(NpgsqlDataSource db, string schema)
    {
        await using var update = db.CreateCommand(
            $"update {schema}.mt_event_progression set last_seq_id = (select coalesce(max(seq_id), 0) from {schema}.mt_events)");
        await update.ExecuteNonQueryAsync();
        await using var analyze = db.CreateCommand("vacuum analyze");
        analyze.CommandTimeout = 0;
        await analyze.ExecuteNonQueryAsync();
    }

    /// <summary>A copied column: new sequence numbers and event ids, the journey's quote id made unique in every text.</summary>
    private static string Copied(string column, string type, string schema, string runPrefix, string call)
    {
        var renamed = $"'{runPrefix[..2]}{call}' || k || '-{runPrefix[2..]}'";
        return (column, type) switch
        {
            ("seq_id", _) => $"nextval('{schema}.mt_events_sequence')",
            (_, "uuid") => "gen_random_uuid()",
            (_, "jsonb") => $"replace({column}::text, '{runPrefix}', {renamed})::jsonb",
            (_, "text" or "character varying") => $"replace({column}, '{runPrefix}', {renamed})",
            _ => column,
        };
    }

    private static async Task<List<(string Name, string Type)>> ColumnsAsync(NpgsqlDataSource db, string schema, string table)
    {
        var columns = new List<(string, string)>();
        await using var command = db.CreateCommand(
            "select column_name, data_type from information_schema.columns where table_schema = @schema and table_name = @table " +
            "and is_generated = 'NEVER' order by ordinal_position");
        command.Parameters.AddWithValue("schema", schema);
        command.Parameters.AddWithValue("table", table);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) columns.Add((reader.GetString(0), reader.GetString(1)));
        return columns;
    }

    private static async Task<long> ScalarAsync(NpgsqlDataSource db, string sql, string? like)
    {
        await using var command = db.CreateCommand(sql);
        if (like is not null) command.Parameters.AddWithValue("like", like);
        command.CommandTimeout = 0;
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
