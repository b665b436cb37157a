using System.Diagnostics;
using Ledger.Application;
using Ledger.Application.Timelines;
using Ledger.Domain.Quotes;
using Ledger.EventStore;
using Ledger.EventStore.Marten;
using Npgsql;
using NodaTime;
using Ledger.Domain.Common;

namespace Ledger.Bench;

/// <summary>
/// <c>timeline --events N</c>: how long the auditor's timeline of one quote with N events takes, against a raw read of
/// the same stream through the port (the floor), on a throwaway PostgreSQL with fsync on.
/// </summary>
public static class TimelineBenchmark
{
    private const int Rounds = 5;

    public static async Task<int> RunAsync(int events, string outFolder)
    {
        await using var cluster = await ThrowawayCluster.StartAsync("timeline");
        var connectionString = cluster.ConnectionString;
        var serializer = new EventSerializer(LedgerEventTypes.Registry());
        using var documents = LedgerMarten.CreateStore(connectionString, serializer);
        await SchemaMigration.ApplyAsync(documents);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var store = new HashChainingEventStore(new MartenBackend(documents, dataSource, serializer));

        var quoteId = "Q-BENCH";
        await AppendHistoryAsync(store, serializer, quoteId, events);
        var timeline = new QuoteTimeline(store, serializer, new RelatedStreams(dataSource));

        var timelineMs = new List<double>();
        var rawMs = new List<double>();
        for (var round = 0; round <= Rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            var page = await timeline.ReadAsync(new QuoteId(quoteId), null, 0, int.MaxValue, CancellationToken.None);
            var timelineElapsed = clock.Elapsed.TotalMilliseconds;
            if (page!.Total != events) throw new InvalidOperationException($"The timeline has {page.Total} events, not {events}.");

            clock.Restart();
            var raw = 0;
            await foreach (var _ in store.ReadWholeStreamAsync(QuoteDecider.StreamId(new QuoteId(quoteId)))) raw++;
            if (raw != events) throw new InvalidOperationException($"The raw read found {raw} events, not {events}.");
            var rawElapsed = clock.Elapsed.TotalMilliseconds;
            if (round == 0) continue; // the first round warms up the JIT and the pools
            timelineMs.Add(timelineElapsed);
            rawMs.Add(rawElapsed);
        }

        var figures = new
        {
            timelineMedianMs = Median(timelineMs),
            rawReadMedianMs = Median(rawMs),
            ratio = Median(timelineMs) / Median(rawMs),
            timelineMs,
            rawMs,
        };
        Console.WriteLine($"timeline of one quote with {events} events, median of {Rounds} rounds:");
        Console.WriteLine($"  GET-timeline work (read + merge + fold + JSON elements): {figures.timelineMedianMs,10:F1} ms");
        Console.WriteLine($"  raw read of the same stream through the port:           {figures.rawReadMedianMs,10:F1} ms");
        Console.WriteLine($"  ratio: {figures.ratio:F2}");
        await BenchResults.WriteAsync(outFolder, $"timeline-{events}", "timeline",
            new { events, rounds = Rounds, backend = "postgres (throwaway cluster, fsync on)" }, figures);
        return 0;
    }

    /// <summary>A drafted quote with one line whose quantity is changed until the stream holds <paramref name="events"/> events.</summary>
    private static async Task AppendHistoryAsync(IEventStore store, EventSerializer serializer, string quoteId, int events)
    {
        var at = Instant.FromUtc(2026, 3, 1, 9, 0);
        var history = new List<QuoteEvent>
        {
            new QuoteDrafted(new QuoteId(quoteId), "salesforce", "OPP-1", "ACC-1", new CustomerId("C-ACME"), "dana", "EUR", "enterprise", "EMEA", "Acme GmbH", "Europe/Berlin",
                "2026.1", new LocalDate(2026, 3, 1), new LocalDate(2026, 12, 31), 1, at),
            new QuoteLineAdded(new QuoteId(quoteId), 1, new QuoteLine("L1", "PLAT-ENT", "2026.1", 1, 1200m, 0m), at),
        };
        for (var i = 2; i < events; i++) history.Add(new QuoteLineChanged(new QuoteId(quoteId), 1, "L1", 1 + i % 50, 0m, at.Plus(Duration.FromSeconds(i))));

        long last = -1;
        foreach (var chunk in history.Chunk(500))
        {
            var toAppend = chunk.Select(e =>
            {
                var (type, data) = serializer.Serialize(e);
                return new EventToAppend(Guid.NewGuid(), type, data, new EventMetadata("bench", "bench", "bench", "salesforce", null, at));
            }).ToList();
            if (await store.AppendAsync(QuoteDecider.StreamId(new QuoteId(quoteId)), ExpectedRevision.After(last), toAppend) is not AppendResult.Success success)
                throw new InvalidOperationException("The history could not be appended.");
            last = success.LastRevision;
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
