using System.Diagnostics;
using System.Threading.Channels;
using JasperFx.Events;
using Marten;
using Npgsql;

namespace Ledger.Projections.Rebuilds;

/// <summary>
/// How far a one-pass rebuild has come: the last event applied, the position it rebuilds through, events read; and where its
/// time went so far: waiting for pages (reading runs ahead), folding them, writing documents and positions.
/// </summary>
public sealed record RebuildProgress(long Position, long Through, long EventsRead, TimeSpan Waiting, TimeSpan Folding, TimeSpan Writing);

/// <summary>
/// Rebuilds projections outside Marten's daemon, in one pass over the event log (ADR/0014, "Rebuilds"): pages of events read
/// by sequence (skipped, quarantined rows left out, as the daemon leaves them out), every projection asked for folded in
/// memory from the same pages by its own slicer and <c>Evolve</c>, the documents each page changed written in bulk (COPY,
/// whose row triggers keep the discrepancy occurrence index), then each projection's position set to the page's end, so
/// progress shows as the daemon's does and the live daemon resumes from where the rebuild stopped.
/// The caller stops the projections' live agents before and starts them after (<c>ProjectionRebuilds</c> in the API).
/// </summary>
public static class OnePassRebuild
{
    /// <summary>
    /// Events per page read; a page's changed documents are written (one bulk insert per projection) before the next page
    /// is sliced. 50,000, not 10,000: each bulk insert has a fixed cost, and the benchmark's writing time fell from 14.8 to
    /// 9.1 s over 100,000 events (same run); a page holds about 5,000 quote views in memory.
    /// </summary>
    public const int PageSize = 50_000;

    /// <summary>
    /// Whether the pass can rebuild a projection: a multi-stream projection of documents keyed by string (every one the
    /// ledger has). Any other kind is rebuilt by Marten's daemon (<c>ProjectionRebuilds</c>).
    /// </summary>
    public static bool CanRebuild(IDocumentStore store, string projection) =>
        LedgerProjections.All.SingleOrDefault(p => p.Name == projection) is { } registered && ProjectionFold.Fits(store, registered);

    /// <param name="projections">Names from <see cref="LedgerProjections.Names"/>; each is rebuilt from an empty table.</param>
    /// <param name="through">The last position to rebuild through: the daemon's high-water mark when one runs (it waits out
    /// sequence gaps of transactions still in flight), else the newest stored event.</param>
    /// <returns>The position every projection was rebuilt through.</returns>
    /// <param name="pageSize">Events a page holds (<see cref="PageSize"/> unless a benchmark compares).</param>
    public static async Task<long> RunAsync(IDocumentStore store, IReadOnlyList<string> projections, long? through = null,
        IProgress<RebuildProgress>? progress = null, CancellationToken ct = default, int pageSize = PageSize)
    {
        var unknown = projections.Except(LedgerProjections.Names).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"No projection {string.Join(", ", unknown)}.", nameof(projections));
        var schema = store.Options.Events.DatabaseSchemaName;
        var folds = LedgerProjections.All.Where(p => projections.Contains(p.Name)).Select(p => ProjectionFold.For(store, p)).ToList();

        long ceiling;
        HashSet<long> skipped = [];
        await using (var connection = store.Storage.Database.CreateConnection())
        {
            await connection.OpenAsync(ct);
            ceiling = through ?? Convert.ToInt64(await Scalar(connection, $"select coalesce(max(seq_id), 0) from {schema}.mt_events", ct));
            // Quarantined rows are few by nature (ADR/0025) and found by their partial index: read once, left out of every page.
            await using (var command = new NpgsqlCommand($"select seq_id from {schema}.mt_events where is_skipped and seq_id <= @through", connection))
            {
                command.Parameters.AddWithValue("through", ceiling);
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct)) skipped.Add(reader.GetInt64(0));
            }
            // From empty: the table's truncate trigger empties the occurrence index with it.
            foreach (var fold in folds) await StartOverAsync(connection, schema, fold, ct);
        }

        // Reading runs a page ahead of folding and writing (its own connection), so the pass waits on the slower of the two.
        var pages = Channel.CreateBounded<IReadOnlyList<IEvent>>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        var reading = Task.Run(() => ReadAsync(store, ceiling, pageSize, pages.Writer, ct), ct);
        long read = 0;
        Stopwatch waiting = new(), folding = new(), writing = new();
        try
        {
            while (true)
            {
                waiting.Start();
                var more = await pages.Reader.WaitToReadAsync(ct);
                waiting.Stop();
                if (!more) break;
                var page = await pages.Reader.ReadAsync(ct);
                folding.Start();
                var applied = page.Where(e => !skipped.Contains(e.Sequence)).ToList();
                await Task.WhenAll(folds.Select(f => Task.Run(() => f.ApplyAsync(applied, ct), ct)));
                folding.Stop();
                writing.Start();
                await Task.WhenAll(folds.Select(f => f.WriteAsync(ct)));
                read += page.Count;
                await SetPositionsAsync(store, schema, folds, page[^1].Sequence, ct);
                writing.Stop();
                progress?.Report(new RebuildProgress(page[^1].Sequence, ceiling, read, waiting.Elapsed, folding.Elapsed, writing.Elapsed));
            }
        }
        catch
        {
            // A page's documents and the positions are not written in one transaction: after a failure, start the
            // projections over, so the live daemon replays them from the first event rather than from a position its
            // documents may already be past.
            await ResetAsync(store, schema, folds);
            throw;
        }
        finally
        {
            await reading.ContinueWith(_ => { }, TaskScheduler.Default);
        }
        // Through the ceiling even if its last rows were quarantined or the log ends in a gap: the live daemon goes on after it.
        await SetPositionsAsync(store, schema, folds, ceiling, ct);
        progress?.Report(new RebuildProgress(ceiling, ceiling, read, waiting.Elapsed, folding.Elapsed, writing.Elapsed));
        return ceiling;
    }

    /// <summary>Every event up to <paramref name="ceiling"/>, in pages by sequence, deserialized by Marten (upcasters included).</summary>
    private static async Task ReadAsync(IDocumentStore store, long ceiling, int pageSize, ChannelWriter<IReadOnlyList<IEvent>> pages, CancellationToken ct)
    {
        try
        {
            await using var session = store.QuerySession();
            var last = 0L;
            while (last < ceiling)
            {
                var after = last;
                var page = await session.Events.QueryAllRawEvents().Where(e => e.Sequence > after && e.Sequence <= ceiling)
                    .OrderBy(e => e.Sequence).Take(pageSize).ToListAsync(ct);
                if (page.Count == 0) break;
                await pages.WriteAsync(page, ct);
                last = page[^1].Sequence;
            }
            pages.Complete();
        }
        catch (Exception e)
        {
            pages.Complete(e);
        }
    }

    private static async Task ResetAsync(IDocumentStore store, string schema, IEnumerable<ProjectionFold> folds)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        foreach (var fold in folds) await StartOverAsync(connection, schema, fold, CancellationToken.None);
    }

    /// <summary>
    /// An empty table and no position: Marten's agent inserts a shard's position row when it starts from nothing (and fails
    /// on a row left at 0), so "from the start" is no row, as Marten's own rebuild leaves it.
    /// </summary>
    private static async Task StartOverAsync(NpgsqlConnection connection, string schema, ProjectionFold fold, CancellationToken ct)
    {
        await Scalar(connection, $"truncate table {fold.Table}", ct);
        await using var command = new NpgsqlCommand($"delete from {schema}.mt_event_progression where name = @name", connection);
        command.Parameters.AddWithValue("name", $"{fold.Name}:All");
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task SetPositionsAsync(IDocumentStore store, string schema, IEnumerable<ProjectionFold> folds, long position, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        foreach (var fold in folds) await SetPositionAsync(connection, schema, fold.Name, position, ct);
    }

    /// <summary>The position of the projection's shard (<c>{name}:All</c>), which the live daemon resumes from.</summary>
    private static async Task SetPositionAsync(NpgsqlConnection connection, string schema, string projection, long position, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"insert into {schema}.mt_event_progression (name, last_seq_id, last_updated) values (@name, @position, transaction_timestamp()) " +
            "on conflict (name) do update set last_seq_id = excluded.last_seq_id, last_updated = excluded.last_updated", connection);
        command.Parameters.AddWithValue("name", $"{projection}:All");
        command.Parameters.AddWithValue("position", position);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<object?> Scalar(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(ct);
    }
}
