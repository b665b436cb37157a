using System.Diagnostics;
using Ledger.Application;
using Ledger.Domain.Approvals;
using Ledger.Domain.Billing;
using Ledger.Domain.Orders;
using Ledger.Domain.Quotes;
using Ledger.Domain.Reconciliation;
using Ledger.EventStore;
using Ledger.EventStore.Marten;
using Ledger.Projections;
using Ledger.Projections.Rebuilds;
using Marten;
using Microsoft.Extensions.Logging;
using Npgsql;
using NodaTime;
using Ledger.Domain.Common;

namespace Ledger.Bench;

/// <summary>
/// <c>rebuild --events N</c>: generates quote-to-cash histories of N events through the port (ten events a quote over
/// five streams), then, in the same run, reads and deserializes the same events without projecting them (the ceiling a
/// rebuild cannot beat), rebuilds every projection in one pass (<see cref="OnePassRebuild"/>, what the ledger runs), and for comparison with Marten's daemon under each daemon tuning asked for (the ledger's,
/// then Marten's defaults, by default: the first pays for compiling the daemon's code), one after another and all at once, checking each gives the same documents. Throwaway cluster, fsync on.
/// </summary>
public static class RebuildBenchmark
{
    private const int EventsPerQuote = 10;
    private const int Loaders = 8;

    /// <param name="variants">Daemon tunings to rebuild with, each on the same events: <c>marten-defaults</c>, <c>ledger</c>, or <c>page/hopper/flush[/copy]</c>.</param>
    public static async Task<int> RunAsync(int events, IReadOnlyList<string> variants, string outFolder)
    {
        // "none": the one pass and its references only, no daemon rebuilds (a quick measurement of the pass).
        var tunings = variants.Where(v => v != "none").Select(v => (Name: v, Tuning: ParseTuning(v))).ToList();
        // LEDGER_BENCH_REBUILD_STATEMENTS=1 prints, after the one pass and each tuning, the statements its rebuilds spent the most time in.
        var statements = Environment.GetEnvironmentVariable("LEDGER_BENCH_REBUILD_STATEMENTS") == "1";
        await using var cluster = await ThrowawayCluster.StartAsync("rebuild", countStatements: statements);
        var connectionString = cluster.ConnectionString;
        var serializer = new EventSerializer(LedgerEventTypes.Registry());
        DocumentStore StoreWith(ProjectionDaemonTuning tuning) => DocumentStore.For(o =>
        {
            o.Connection(connectionString);
            LedgerMarten.ConfigureEventStore(o, serializer);
            LedgerProjections.Configure(o, tuning);
        });
        using var documents = StoreWith(ProjectionDaemonTuning.Ledger);
        await SchemaMigration.ApplyAsync(documents);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var store = new HashChainingEventStore(new MartenBackend(documents, dataSource, serializer));

        var quotes = Math.Max(1, events / EventsPerQuote);
        var load = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, quotes), new ParallelOptions { MaxDegreeOfParallelism = Loaders },
            async (i, ct) => await AppendQuoteAsync(store, serializer, i, ct));
        var loaded = (await documents.Advanced.FetchEventStoreStatistics()).EventCount;
        Console.WriteLine($"loaded {loaded:N0} events ({quotes:N0} quotes) in {load.Elapsed.TotalSeconds:F1} s");

        // The ceiling: page through every event with Marten's reader, deserializing each body, projecting nothing. Twice,
        // and the second pass counts: the first pays for compiling the reader's code, which the rebuilds, run later, do not.
        double readSeconds = 0, coldReadSeconds = 0;
        long last = 0;
        for (var pass = 0; pass < 2; pass++)
        {
            var read = Stopwatch.StartNew();
            long seen = 0;
            last = 0;
            await using (var session = documents.QuerySession())
            {
                while (true)
                {
                    var page = await session.Events.QueryAllRawEvents().Where(e => e.Sequence > last).OrderBy(e => e.Sequence).Take(5_000).ToListAsync();
                    if (page.Count == 0) break;
                    seen += page.Count(e => e.Data is not null);
                    last = page[^1].Sequence;
                }
            }
            if (pass == 0) coldReadSeconds = read.Elapsed.TotalSeconds;
            else readSeconds = read.Elapsed.TotalSeconds;
            if (seen != loaded) throw new InvalidOperationException($"read {seen} of {loaded} events");
        }
        var readRate = loaded / readSeconds;

        // What the quote view's own code costs: the same pages folded in memory (no database writes), and the folded views
        // serialized once each; the time counted is the fold and the JSON, not the reading.
        var fold = new Stopwatch();
        var views = new Dictionary<string, Ledger.Projections.Quotes.QuoteView>();
        var quoteView = new Ledger.Projections.Quotes.QuoteViewProjection();
        last = 0;
        await using (var session = documents.QuerySession())
        {
            while (true)
            {
                var page = await session.Events.QueryAllRawEvents().Where(e => e.Sequence > last).OrderBy(e => e.Sequence).Take(5_000).ToListAsync();
                if (page.Count == 0) break;
                last = page[^1].Sequence;
                fold.Start();
                foreach (var e in page)
                    if (Ledger.Projections.Quotes.QuoteStreams.QuoteIdOf(e.Data) is { } id)
                        views[id] = quoteView.Evolve(views.GetValueOrDefault(id), id, e);
                fold.Stop();
            }
        }
        var foldSeconds = fold.Elapsed.TotalSeconds;
        var json = Stopwatch.StartNew();
        var serializer2 = documents.Options.Serializer();
        long jsonBytes = 0;
        foreach (var view in views.Values) jsonBytes += serializer2.ToJson(view).Length;
        var jsonSeconds = json.Elapsed.TotalSeconds;
        views.Clear();

        Console.WriteLine($"| tuning                | step                                   | seconds | events/s | of read |");
        Console.WriteLine($"|-----------------------|----------------------------------------|---------|----------|---------|");
        Console.WriteLine($"| -                     | read + deserialize {loaded,10:N0} events  | {readSeconds,7:F1} | {readRate,8:F0} |    1.00 |");
        Row("-", "read + deserialize, first (cold) pass", coldReadSeconds);
        Row("-", "quote-view folded in memory, no writes", foldSeconds);
        Row("-", $"quote views to JSON once ({jsonBytes / Math.Max(1, quotes):N0} chars)", jsonSeconds);

        // The ledger's rebuild (OnePassRebuild, what the API and `ledger projections rebuild` run): every projection in one
        // pass over the events, folded in memory, documents written in bulk. Twice, and the second counts: the first pays for
        // compiling the slicers and the bulk writers. Then the quote view alone, the one a single-projection rebuild waits on most.
        double onePassSeconds = 0, onePassColdSeconds = 0;
        RebuildProgress? onePassTimes = null;
        for (var pass = 0; pass < 2; pass++)
        {
            if (statements && pass == 1) await ExecuteAsync(dataSource, "create extension if not exists pg_stat_statements; select pg_stat_statements_reset()");
            var clock = Stopwatch.StartNew();
            await OnePassRebuild.RunAsync(documents, LedgerProjections.Names, progress: new Latest(p => onePassTimes = p));
            if (pass == 0) onePassColdSeconds = clock.Elapsed.TotalSeconds;
            else onePassSeconds = clock.Elapsed.TotalSeconds;
        }
        if (statements) await PrintStatementsAsync(dataSource, "one pass");
        // Smaller pages (the first choice): more bulk inserts, fewer documents held in memory.
        var smallPages = Stopwatch.StartNew();
        RebuildProgress? smallPageTimes = null;
        await OnePassRebuild.RunAsync(documents, LedgerProjections.Names, progress: new Latest(p => smallPageTimes = p), pageSize: 10_000);
        var smallPagesSeconds = smallPages.Elapsed.TotalSeconds;
        // The same pass with every page written before the next is folded (the pass before 2026-12-08), for the overlap's worth.
        var lockstep = Stopwatch.StartNew();
        RebuildProgress? lockstepTimes = null;
        await OnePassRebuild.RunAsync(documents, LedgerProjections.Names, progress: new Latest(p => lockstepTimes = p), overlap: false);
        var lockstepSeconds = lockstep.Elapsed.TotalSeconds;
        var alone = Stopwatch.StartNew();
        await OnePassRebuild.RunAsync(documents, [Ledger.Projections.Quotes.QuoteViewProjection.ProjectionName]);
        var quoteViewAloneSeconds = alone.Elapsed.TotalSeconds;
        Row("one pass", "rebuild all in one pass", onePassSeconds);
        Row("one pass", "same, first (cold) pass", onePassColdSeconds);
        Row("one pass", "  of which waiting for pages", onePassTimes!.Waiting.TotalSeconds);
        Row("one pass", "  of which folding in memory", onePassTimes.Folding.TotalSeconds);
        Row("one pass", "  of which serializing documents", onePassTimes.Serializing.TotalSeconds);
        Row("one pass", "  of which waiting for writes to commit", onePassTimes.WaitingForWrites.TotalSeconds);
        Row("one pass", "writing documents (beside the folding)", onePassTimes.Writing.TotalSeconds);
        Row("one pass", "all, pages of 10,000 events", smallPagesSeconds);
        Row("one pass", "  of which waiting for writes to commit", smallPageTimes!.WaitingForWrites.TotalSeconds);
        Row("one pass", "all, each page written before the next", lockstepSeconds);
        Row("one pass", "  of which folding in memory", lockstepTimes!.Folding.TotalSeconds);
        Row("one pass", "  of which writing", lockstepTimes.Writing.TotalSeconds);
        Row("one pass", "rebuild quote-view alone", quoteViewAloneSeconds);
        // What the pass wrote, per projection: how many documents and how long their JSON is (the writing's volume).
        var documentSizes = await DocumentSizesAsync(dataSource);
        foreach (var (projection, size) in documentSizes)
            Console.WriteLine($"  {projection}: {size.Documents:N0} documents, {size.AverageChars:N0} JSON chars each on average");
        // The daemon's rebuilds below must give the same documents and the same occurrence index.
        string? reference = await DigestAsync(dataSource);

        var runs = new List<object>();
        // LEDGER_BENCH_DAEMON_LOG=Debug (or Information) prints what the daemon does during the rebuilds, with times.
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.TimestampFormat = "HH:mm:ss.fff ")
            .SetMinimumLevel(Environment.GetEnvironmentVariable("LEDGER_BENCH_DAEMON_LOG") is { } level ? Enum.Parse<LogLevel>(level) : LogLevel.None));
        foreach (var (name, tuning) in tunings)
        {
            using var tuned = StoreWith(tuning);
            if (statements) await ExecuteAsync(dataSource, "create extension if not exists pg_stat_statements; select pg_stat_statements_reset()");
            var rebuilds = new Dictionary<string, double>();
            double allAtOnce;
            using (var daemon = await tuned.BuildProjectionDaemonAsync(logger: loggers.CreateLogger("daemon")))
            {
                foreach (var projection in LedgerProjections.Names)
                {
                    var clock = Stopwatch.StartNew();
                    await daemon.RebuildProjectionAsync(projection, TimeSpan.FromMinutes(30), CancellationToken.None);
                    rebuilds[projection] = clock.Elapsed.TotalSeconds;
                }
                // What `ledger projections rebuild` does: every projection at once, each in its own shard.
                var together = Stopwatch.StartNew();
                await Task.WhenAll(LedgerProjections.Names.Select(p => daemon.RebuildProjectionAsync(p, TimeSpan.FromMinutes(30), CancellationToken.None)));
                allAtOnce = together.Elapsed.TotalSeconds;
            }
            var oneAfterAnother = rebuilds.Values.Sum();
            if (statements) await PrintStatementsAsync(dataSource, name);
            foreach (var (projection, seconds) in rebuilds) Row(name, $"rebuild {projection}", seconds);
            Row(name, "rebuild all, one after another", oneAfterAnother);
            Row(name, "rebuild all at once", allAtOnce);

            // Every tuning must give the same documents: a digest of every view table, compared with the first tuning's.
            var digest = await DigestAsync(dataSource);
            if (digest != reference) throw new InvalidOperationException($"Rebuilt by the daemon with {name}, the views differ from those the one-pass rebuild gave.");
            await using (var session = tuned.QuerySession())
                if (await session.Query<Ledger.Projections.Quotes.QuoteView>().CountAsync() != quotes)
                    throw new InvalidOperationException("The rebuilt quote view does not hold one document per quote.");
            runs.Add(new
            {
                tuning = name, tuning.PageSize, tuning.HopperSize, tuning.RebuildFlushThreshold, tuning.RebuildWithBulkCopy,
                rebuildSeconds = rebuilds,
                perProjectionEventsPerSecond = rebuilds.ToDictionary(r => r.Key, r => loaded / r.Value),
                oneAfterAnother = new { seconds = oneAfterAnother, eventsPerSecond = loaded / oneAfterAnother, ratioToRead = loaded / oneAfterAnother / readRate },
                allAtOnce = new { seconds = allAtOnce, eventsPerSecond = loaded / allAtOnce, ratioToRead = loaded / allAtOnce / readRate },
            });
        }
        Console.WriteLine("(the one pass and every daemon tuning gave the same documents and occurrence index; the machine may be loaded: compare each figure with the read reference of this run)");

        var figures = new
        {
            readAndDeserialize = new { seconds = readSeconds, eventsPerSecond = readRate, firstPassSeconds = coldReadSeconds },
            quoteViewFoldedInMemory = new { seconds = foldSeconds, eventsPerSecond = loaded / foldSeconds },
            quoteViewsToJsonOnce = new { seconds = jsonSeconds, charsPerView = jsonBytes / Math.Max(1, quotes) },
            onePass = new
            {
                allProjections = new { seconds = onePassSeconds, eventsPerSecond = loaded / onePassSeconds, ratioToRead = loaded / onePassSeconds / readRate },
                allProjectionsSpent = new { waitingForPages = onePassTimes.Waiting.TotalSeconds, folding = onePassTimes.Folding.TotalSeconds, serializing = onePassTimes.Serializing.TotalSeconds, waitingForWrites = onePassTimes.WaitingForWrites.TotalSeconds, writingBesideFolding = onePassTimes.Writing.TotalSeconds },
                allProjectionsFirstPass = new { seconds = onePassColdSeconds, eventsPerSecond = loaded / onePassColdSeconds, ratioToRead = loaded / onePassColdSeconds / readRate },
                allProjectionsPagesOf10000 = new { seconds = smallPagesSeconds, eventsPerSecond = loaded / smallPagesSeconds, ratioToRead = loaded / smallPagesSeconds / readRate, writingSeconds = smallPageTimes.Writing.TotalSeconds, waitingForWritesSeconds = smallPageTimes.WaitingForWrites.TotalSeconds },
                documents = documentSizes.ToDictionary(d => d.Key, d => new { documents = d.Value.Documents, averageJsonChars = d.Value.AverageChars }),
                allProjectionsEachPageWrittenBeforeTheNext = new { seconds = lockstepSeconds, eventsPerSecond = loaded / lockstepSeconds, ratioToRead = loaded / lockstepSeconds / readRate, foldingSeconds = lockstepTimes.Folding.TotalSeconds, writingSeconds = lockstepTimes.Writing.TotalSeconds },
                quoteViewAlone = new { seconds = quoteViewAloneSeconds, eventsPerSecond = loaded / quoteViewAloneSeconds, ratioToRead = loaded / quoteViewAloneSeconds / readRate },
            },
            daemonRuns = runs,
        };
        await BenchResults.WriteAsync(outFolder, $"rebuild-{loaded}", "rebuild",
            new { events = loaded, quotes, eventsPerQuote = EventsPerQuote, variants, backend = "postgres (throwaway cluster, fsync on)" }, figures);
        return 0;

        void Row(string tuning, string step, double seconds) =>
            Console.WriteLine($"| {tuning,-21} | {step,-38} | {seconds,7:F1} | {loaded / seconds,8:F0} | {loaded / seconds / readRate,7:F2} |");
    }

    /// <summary>Reports synchronously (<see cref="Progress{T}"/> posts to the thread pool and could land after the run).</summary>
    private sealed class Latest(Action<RebuildProgress> report) : IProgress<RebuildProgress>
    {
        public void Report(RebuildProgress value) => report(value);
    }

    private static ProjectionDaemonTuning ParseTuning(string variant) => variant switch
    {
        "marten-defaults" => ProjectionDaemonTuning.MartenDefaults,
        "ledger" => ProjectionDaemonTuning.Ledger,
        _ when variant.Split('/') is [var page, var hopper, var flush, .. var rest] && rest.Length <= 1 =>
            new(int.Parse(page), int.Parse(hopper), int.Parse(flush), rest is ["copy"]),
        _ => throw new ArgumentException($"A tuning is marten-defaults, ledger or page/hopper/flush[/copy], not '{variant}'."),
    };

    /// <summary>The statements the database spent the most time in since the last reset (LEDGER_BENCH_REBUILD_STATEMENTS=1).</summary>
    private static async Task PrintStatementsAsync(NpgsqlDataSource dataSource, string name)
    {
        await using var top = dataSource.CreateCommand(
            "select calls, round(total_exec_time)::bigint, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 140) from pg_stat_statements " +
            "where dbid = (select oid from pg_database where datname = current_database()) order by total_exec_time desc limit 12");
        await using var reader = await top.ExecuteReaderAsync();
        while (await reader.ReadAsync()) Console.WriteLine($"  {name}: {reader.GetInt64(0),7} calls {reader.GetInt64(1),7} ms {reader.GetInt64(2),9} rows  {reader.GetString(3)}");
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static string ViewTable(LedgerProjection projection) => $"{LedgerMarten.DefaultSchema}.mt_doc_{projection.Document.Name.ToLowerInvariant()}";

    private static async Task<Dictionary<string, (long Documents, long AverageChars)>> DocumentSizesAsync(NpgsqlDataSource dataSource)
    {
        var sizes = new Dictionary<string, (long, long)>();
        foreach (var projection in LedgerProjections.All)
        {
            await using var command = dataSource.CreateCommand(
                $"select count(*), coalesce(avg(length(data::text)), 0)::bigint from {ViewTable(projection)}");
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            sizes[projection.Name] = (reader.GetInt64(0), reader.GetInt64(1));
        }
        return sizes;
    }

    /// <summary>One digest of every projected document (id and JSON) in every view table, computed in PostgreSQL.</summary>
    private static async Task<string> DigestAsync(NpgsqlDataSource dataSource)
    {
        var digests = new List<string>();
        foreach (var projection in LedgerProjections.All)
        {
            await using var command = dataSource.CreateCommand(
                $"select coalesce(md5(string_agg(md5(id || data::text), '' order by id)), '') from {ViewTable(projection)}");
            digests.Add($"{projection.Name}:{await command.ExecuteScalarAsync()}");
        }
        // And the occurrence index the views' row triggers keep (ADR/0014): the bulk writes must fire them as the daemon's upserts do.
        await using (var rows = dataSource.CreateCommand(
            $"select count(*) || ':' || coalesce(md5(string_agg(concat_ws('|', source, view_id, ordinal, crm, id, rule, owner, status, opened_at, closed_at, ended_at), ',' order by source, view_id, ordinal, crm)), '') " +
            $"from {Ledger.Projections.Reconciliation.DiscrepancyRows.Table(LedgerMarten.DefaultSchema)}"))
            digests.Add($"occurrences:{await rows.ExecuteScalarAsync()}");
        return string.Join(',', digests);
    }

    /// <summary>One quote's way to cash over five streams: quote (5), order (1), billing (2), CRM report (1), billing record (1).</summary>
    private static async Task AppendQuoteAsync(IEventStore store, EventSerializer serializer, int i, CancellationToken ct)
    {
        var id = $"Q-{i:D7}";
        var order = OrderDecider.OrderIdFor(new QuoteId(id));
        var at = Instant.FromUtc(2026, 1, 1, 9, 0) + Duration.FromMinutes(i);
        var crm = (i % 4) switch { 0 => "salesforce", 1 => "hubspot", 2 => "dynamics", _ => "partner-portal" };
        var net = 1_000m + i % 997 * 10m;
        // Every 50th quote is billed short, so the reconciliation rules have findings to keep.
        var billed = i % 50 == 0 ? net - 100m : net;
        var fingerprint = new ApprovalFingerprint(1, $"hash-{i}", "P-2026.1");
        var line = new PricedLine("L1", "PLAT-ENT", "2026.1", 1m, net, 0m, net, 0m, net);

        await Append(QuoteDecider.StreamId(new QuoteId(id)),
            new QuoteDrafted(new QuoteId(id), crm, $"opp-{i}", $"acct-{i}", new CustomerId($"cust-{i % 5000}"), "rep", "USD", "enterprise", "us-east", "ledger-inc-us", "UTC", "2026.1",
                new LocalDate(2026, 1, 1), new LocalDate(2026, 12, 31), 1, at),
            new QuotePriced(new QuoteId(id), 1, new PriceSnapshot("USD", [line], net, 0m, net, 0m, "P-2026.1", $"hash-{i}"), at),
            new QuoteApproved(new QuoteId(id), 1, fingerprint, true, "policy", at),
            new QuoteSent(new QuoteId(id), 1, "sha256:doc", "rep", at),
            new QuoteAccepted(new QuoteId(id), 1, "e-signature", "buyer", at));
        await Append(OrderDecider.StreamId(order),
            new OrderPlaced(order, new AcceptedQuote(new QuoteId(id), 1, crm, new CustomerId($"cust-{i % 5000}"), "ledger-inc-us", "us-east", "USD", [line], net, 0m, net), "crm", at));
        await Append(BillingDecider.StreamId(order),
            new BillingHandoffRequested(order, net, "USD", $"BA-{i}", $"billing-{id}", "sha256:payload", at),
            new BillingHandoffAcknowledged(order, $"INV-{i}", billed, "USD", false, at));
        await Append(ReportedFactDecider.CrmQuoteStreamId(crm, new QuoteId(id)), new CrmQuoteStateReported(crm, new QuoteId(id), $"opp-{i}", QuoteStatus.Accepted, at, at));
        await Append(ReportedFactDecider.BillingRecordStreamId($"INV-{i}"),
            new BillingRecordReported($"INV-{i}", order, BillingRecordKind.Invoice, billed, "USD", BillingRecordStatus.Issued, at, at));

        async Task Append(string stream, params object[] events)
        {
            var batch = events.Select(e =>
            {
                var (type, data) = serializer.Serialize(e);
                return new EventToAppend(Guid.NewGuid(), type, data, new EventMetadata("bench", "bench", "bench", "bench", null, at));
            }).ToList();
            if (await store.AppendAsync(stream, ExpectedRevision.NoStream, batch, ct) is not AppendResult.Success)
                throw new InvalidOperationException($"Appending to {stream} failed.");
        }
    }
}
