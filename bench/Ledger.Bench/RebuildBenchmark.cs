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
using Marten;
using Npgsql;
using NodaTime;

namespace Ledger.Bench;

/// <summary>
/// <c>rebuild --events N</c>: generates quote-to-cash histories of N events through the port (ten events a quote over
/// five streams), then rebuilds every projection with Marten's daemon and, in the same run, reads and deserializes
/// the same events without projecting them: the ceiling a rebuild cannot beat. Throwaway cluster, fsync on.
/// </summary>
public static class RebuildBenchmark
{
    private const int EventsPerQuote = 10;
    private const int Loaders = 8;

    public static async Task<int> RunAsync(int events, string outFolder)
    {
        await using var cluster = await ThrowawayCluster.StartAsync("rebuild");
        var connectionString = cluster.ConnectionString;
        var serializer = new EventSerializer(LedgerEventTypes.Registry());
        using var documents = DocumentStore.For(o =>
        {
            o.Connection(connectionString);
            LedgerMarten.ConfigureEventStore(o, serializer);
            LedgerProjections.Configure(o);
        });
        await SchemaMigration.ApplyAsync(documents);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var store = new HashChainingEventStore(new MartenBackend(documents, dataSource, serializer));

        var quotes = Math.Max(1, events / EventsPerQuote);
        var load = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, quotes), new ParallelOptions { MaxDegreeOfParallelism = Loaders },
            async (i, ct) => await AppendQuoteAsync(store, serializer, i, ct));
        var loaded = (await documents.Advanced.FetchEventStoreStatistics()).EventCount;
        Console.WriteLine($"loaded {loaded:N0} events ({quotes:N0} quotes) in {load.Elapsed.TotalSeconds:F1} s");

        // The ceiling: page through every event with Marten's reader, deserializing each body, projecting nothing.
        var read = Stopwatch.StartNew();
        long seen = 0, last = 0;
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
        var readSeconds = read.Elapsed.TotalSeconds;
        if (seen != loaded) throw new InvalidOperationException($"read {seen} of {loaded} events");

        var rebuilds = new Dictionary<string, double>();
        using (var daemon = await documents.BuildProjectionDaemonAsync())
        {
            foreach (var name in LedgerProjections.Names)
            {
                var clock = Stopwatch.StartNew();
                await daemon.RebuildProjectionAsync(name, TimeSpan.FromMinutes(30), CancellationToken.None);
                rebuilds[name] = clock.Elapsed.TotalSeconds;
            }
        }
        var total = rebuilds.Values.Sum();
        await using (var session = documents.QuerySession())
            if (await session.Query<Ledger.Projections.Quotes.QuoteView>().CountAsync() != quotes)
                throw new InvalidOperationException("The rebuilt quote view does not hold one document per quote.");

        var figures = new
        {
            readAndDeserialize = new { seconds = readSeconds, eventsPerSecond = loaded / readSeconds },
            rebuildSeconds = rebuilds,
            rebuildAllSeconds = total,
            rebuildAllEventsPerSecond = loaded / total,
            perProjectionEventsPerSecond = rebuilds.ToDictionary(r => r.Key, r => loaded / r.Value),
            ratioToCeiling = (loaded / total) / (loaded / readSeconds),
        };
        Console.WriteLine($"| step                                   | seconds | events/s |");
        Console.WriteLine($"|----------------------------------------|---------|----------|");
        Console.WriteLine($"| read + deserialize {loaded,10:N0} events  | {readSeconds,7:F1} | {loaded / readSeconds,8:F0} |");
        foreach (var (name, seconds) in rebuilds)
            Console.WriteLine($"| rebuild {name,-30} | {seconds,7:F1} | {loaded / seconds,8:F0} |");
        Console.WriteLine($"| rebuild all three, one after another   | {total,7:F1} | {loaded / total,8:F0} |");
        Console.WriteLine($"rebuild-all rate / read rate: {figures.ratioToCeiling:F2}");
        await BenchResults.WriteAsync(outFolder, $"rebuild-{loaded}", "rebuild",
            new { events = loaded, quotes, eventsPerQuote = EventsPerQuote, backend = "postgres (throwaway cluster, fsync on)" }, figures);
        return 0;
    }

    /// <summary>One quote's way to cash over five streams: quote (5), order (1), billing (2), CRM report (1), billing record (1).</summary>
    private static async Task AppendQuoteAsync(IEventStore store, EventSerializer serializer, int i, CancellationToken ct)
    {
        var id = $"Q-{i:D7}";
        var order = OrderDecider.OrderIdFor(id);
        var at = Instant.FromUtc(2026, 1, 1, 9, 0) + Duration.FromMinutes(i);
        var crm = (i % 4) switch { 0 => "salesforce", 1 => "hubspot", 2 => "dynamics", _ => "partner-portal" };
        var net = 1_000m + i % 997 * 10m;
        // Every 50th quote is billed short, so the reconciliation rules have findings to keep.
        var billed = i % 50 == 0 ? net - 100m : net;
        var fingerprint = new ApprovalFingerprint(1, $"hash-{i}", "P-2026.1");
        var line = new PricedLine("L1", "PLAT-ENT", "2026.1", 1m, net, 0m, net, 0m, net);

        await Append(QuoteDecider.StreamId(id),
            new QuoteDrafted(id, crm, $"opp-{i}", $"acct-{i}", $"cust-{i % 5000}", "rep", "USD", "enterprise", "us-east", "ledger-inc-us", "UTC", "2026.1",
                new LocalDate(2026, 1, 1), new LocalDate(2026, 12, 31), 1, at),
            new QuotePriced(id, 1, new PriceSnapshot("USD", [line], net, 0m, net, 0m, "P-2026.1", $"hash-{i}"), at),
            new QuoteApproved(id, 1, fingerprint, true, "policy", at),
            new QuoteSent(id, 1, "sha256:doc", "rep", at),
            new QuoteAccepted(id, 1, "e-signature", "buyer", at));
        await Append(OrderDecider.StreamId(order),
            new OrderPlaced(order, new AcceptedQuote(id, 1, crm, $"cust-{i % 5000}", "ledger-inc-us", "us-east", "USD", [line], net, 0m, net), "crm", at));
        await Append(BillingDecider.StreamId(order),
            new BillingHandoffRequested(order, net, "USD", $"BA-{i}", $"billing-{id}", "sha256:payload", at),
            new BillingHandoffAcknowledged(order, $"INV-{i}", billed, "USD", false, at));
        await Append(ReportedFactDecider.CrmQuoteStreamId(crm, id), new CrmQuoteStateReported(crm, id, $"opp-{i}", QuoteStatus.Accepted, at, at));
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
