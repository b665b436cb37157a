using System.Diagnostics;
using System.Threading.Channels;
using JasperFx.Events;
using Ledger.Projections.Reconciliation;
using Marten;
using Npgsql;

namespace Ledger.Projections.Rebuilds;

/// <summary>
/// How far a one-pass rebuild has come: the last event applied, the position it rebuilds through, events read; and where its
/// time went so far: waiting for pages (reading runs ahead), folding them, writing documents and positions.
/// </summary>
/// <param name="Writing">The writes' own time, summed: most of it overlaps the folding of the next page.</param>
/// <param name="Serializing">Turning the documents into JSON, before their page is written.</param>
/// <param name="WaitingForWrites">How long folding stood waiting for a page's write to commit: what the overlap did not hide.</param>
public sealed record RebuildProgress(long Position, long Through, long EventsRead, TimeSpan Waiting, TimeSpan Folding, TimeSpan Writing,
    TimeSpan Serializing, TimeSpan WaitingForWrites);

/// <summary>
/// Rebuilds projections outside Marten's daemon, in one pass over the event log (ADR/0014, "Rebuilds"): pages of events read
/// by sequence (skipped, quarantined rows left out, as the daemon leaves them out), every projection asked for folded in
/// memory from the same pages by its own slicer and <c>Evolve</c>, the documents each page changed serialized once and
/// written by one binary COPY per projection while the next page is folded, the discrepancy occurrence index by one
/// statement per projection (its row triggers stand aside), and each projection's position set to the page's end, a
/// projection's part of a page in one transaction of its own, the projections at once: progress shows as the daemon's does, and a pass stopped at any instant
/// leaves every projection's documents exactly as of its own position, from which the live daemon (or the next rebuild) goes on.
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
    /// <param name="overlap">False: every page is written before the next one is folded (a benchmark compares).</param>
    public static async Task<long> RunAsync(IDocumentStore store, IReadOnlyList<string> projections, long? through = null,
        IProgress<RebuildProgress>? progress = null, CancellationToken ct = default, int pageSize = PageSize, bool overlap = true)
    {
        var unknown = projections.Except(LedgerProjections.Names).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"No projection {string.Join(", ", unknown)}.", nameof(projections));
        var schema = store.Options.Events.DatabaseSchemaName;
        var folds = LedgerProjections.All.Where(p => projections.Contains(p.Name)).Select(p => ProjectionFold.For(store, p)).ToList();

        long ceiling;
        HashSet<long> skipped = [];
        // The occurrence index's list indexes, dropped while the pass fills the rows from empty and built once at its end.
        var documentSchema = store.Options.DatabaseSchemaName;
        var listIndexesSetAside = false;
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
            var writesOccurrences = false;
            foreach (var fold in folds) writesOccurrences |= await fold.IsIndexedAsync(connection, ct);
            // From empty, tables and positions together: the table's truncate trigger empties the occurrence index with it.
            await using var transaction = await connection.BeginTransactionAsync(ct);
            foreach (var fold in folds) await StartOverAsync(connection, schema, fold, ct);
            // When the pass fills the occurrence index from empty (every projection that keeps one is rebuilt), its list
            // indexes are built once after the pass; a pass that adds a few rows to many (one small projection) keeps them.
            listIndexesSetAside = writesOccurrences &&
                !(bool)(await Scalar(connection, $"select exists (select from {DiscrepancyRows.Table(documentSchema)})", ct))!;
            if (listIndexesSetAside) await Scalar(connection, DiscrepancyRows.DropListIndexes(documentSchema), ct);
            await transaction.CommitAsync(ct);
        }
        try
        {
            return await FoldAndWriteAsync(store, folds, schema, ceiling, skipped, progress, pageSize, overlap, ct);
        }
        finally
        {
            // Also when the pass failed or was cancelled: the documents it wrote are served meanwhile, and deserve their indexes.
            if (listIndexesSetAside)
            {
                await using var connection = store.Storage.Database.CreateConnection();
                await connection.OpenAsync(CancellationToken.None);
                await using var create = new NpgsqlCommand(DiscrepancyRows.CreateListIndexes(documentSchema), connection) { CommandTimeout = 0 };
                await create.ExecuteNonQueryAsync(CancellationToken.None);
            }
        }
    }

    private static async Task<long> FoldAndWriteAsync(IDocumentStore store, IReadOnlyList<ProjectionFold> folds, string schema, long ceiling,
        IReadOnlySet<long> skipped, IProgress<RebuildProgress>? progress, int pageSize, bool overlap, CancellationToken ct)
    {
        // Reading runs a page ahead of folding and writing (its own connection), so the pass waits on the slower of the two.
        var pages = Channel.CreateBounded<IReadOnlyList<IEvent>>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        // Stopped when the pass ends for any reason: a reader blocked on a full channel would otherwise never finish.
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reading = Task.Run(() => ReadAsync(store, ceiling, pageSize, pages.Writer, stopReading.Token), stopReading.Token);
        long read = 0;
        Stopwatch waiting = new(), folding = new(), serializing = new(), writesAwaited = new();
        // The writes' own time, summed over pages: most of it runs while the next page is folded.
        var writingTime = TimeSpan.Zero;
        // Each projection writes on a connection of its own, its part of a page in one transaction, all of them at once: the
        // database builds one projection's rows while it takes another's.
        var writers = new NpgsqlConnection[folds.Count];
        // The page being written while the next one is folded: one at a time, in order, so a page's write starts only after
        // the one before it committed.
        (Task Task, long End, long Read)? pending = null;
        try
        {
            for (var i = 0; i < folds.Count; i++)
            {
                writers[i] = store.Storage.Database.CreateConnection();
                await writers[i].OpenAsync(ct);
            }
            while (true)
            {
                waiting.Start();
                var more = await pages.Reader.WaitToReadAsync(ct);
                waiting.Stop();
                if (!more) break;
                var page = await pages.Reader.ReadAsync(ct);
                var applied = page.Where(e => !skipped.Contains(e.Sequence)).ToList();
                // A fold that reads its stored documents while slicing this page (a customer merge finds the merged
                // customer's quotes by query) needs the page before it written first.
                if (!overlap || folds.Any(f => f.ReadsStoredDocuments(applied))) await Committed();
                folding.Start();
                await Task.WhenAll(folds.Select(f => Task.Run(() => f.ApplyAsync(applied, ct), ct)));
                folding.Stop();
                await Committed();
                serializing.Start();
                var writes = folds.Select(f => f.TakePage()).ToList();
                serializing.Stop();
                ct.ThrowIfCancellationRequested();
                var end = page[^1].Sequence;
                read += page.Count;
                pending = (WriteAsync(writes, end), end, read);
            }
            await Committed();
            // Through the ceiling even if its last rows were quarantined or the log ends in a gap: the live daemon goes on after it.
            for (var i = 0; i < folds.Count; i++) await SetPositionAsync(writers[i], schema, folds[i].Name, ceiling, ct);
        }
        finally
        {
            await stopReading.CancelAsync();
            await reading.ContinueWith(_ => { }, TaskScheduler.Default);
            // A write still running (the pass failed or was cancelled while it ran) ends before its connection is closed.
            if (pending is { } unfinished) await unfinished.Task.ContinueWith(_ => { }, TaskScheduler.Default);
            foreach (var writer in writers)
                if (writer is not null) await writer.DisposeAsync();
        }
        progress?.Report(Progress(ceiling));
        return ceiling;

        async Task WriteAsync(IReadOnlyList<PageWrite> writes, long end)
        {
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(folds.Select((fold, i) => WritePageAsync(writers[i], schema, fold, writes[i], end, ct)));
            writingTime += clock.Elapsed; // one page's write at a time, read by the loop after it awaited it
        }

        // Waits for the page being written, then reports it: a reported position is committed.
        async Task Committed()
        {
            if (pending is not { } written) return;
            writesAwaited.Start();
            try { await written.Task; }
            finally { writesAwaited.Stop(); }
            pending = null;
            progress?.Report(Progress(written.End, written.Read));
        }

        RebuildProgress Progress(long position, long? eventsRead = null) => new(position, ceiling, eventsRead ?? read, waiting.Elapsed,
            folding.Elapsed, writingTime, serializing.Elapsed, writesAwaited.Elapsed);
    }

    /// <summary>
    /// A projection's documents of a page and its position at the page's end, committed together: a pass stopped at any
    /// instant (a failure, a cancellation, the process killed) leaves each projection's documents exactly as of its position,
    /// and the live daemon, or a rebuild asked again, goes on from there without applying a page twice.
    /// </summary>
    private static async Task WritePageAsync(NpgsqlConnection writer, string schema, ProjectionFold fold, PageWrite write, long end, CancellationToken ct)
    {
        await using var transaction = await writer.BeginTransactionAsync(ct);
        // The occurrence index's row triggers stand aside; the fold writes its rows by one statement instead.
        await Scalar(writer, $"set local {DiscrepancyRows.DeferredSetting} = 'on'", ct);
        await fold.WriteAsync(writer, write, ct);
        await SetPositionAsync(writer, schema, fold.Name, end, ct);
        await transaction.CommitAsync(ct);
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
