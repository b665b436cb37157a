using System.Diagnostics;
using Ledger.Application;
using Ledger.Domain.Quotes;
using Ledger.Domain.Reconciliation;
using Ledger.EventStore;
using Ledger.EventStore.Marten;
using Ledger.Projections;
using Ledger.Projections.Common;
using Ledger.Projections.Quotes;
using Ledger.Projections.Reconciliation;
using Marten;
using NodaTime;

namespace Ledger.Bench;

/// <summary>
/// <c>finance --quotes N</c>: finance's first page of open discrepancies with N quote views stored (one in a hundred with an
/// open discrepancy), read in PostgreSQL as the API does, against the same page built from the loaded views (how the list
/// was read before, and how the as-of list still is), on a throwaway PostgreSQL with fsync on.
/// </summary>
public static class FinanceBenchmark
{
    private const int Rounds = 5;
    private const int WithDiscrepancyEvery = 100;
    private static readonly string[] Crms = ["salesforce", "hubspot", "dynamics", "partner-portal"];

    public static async Task<int> RunAsync(int quotes, string outFolder)
    {
        await using var cluster = await ThrowawayCluster.StartAsync("finance");
        var serializer = new EventSerializer(LedgerEventTypes.Registry());
        using var documents = DocumentStore.For(o =>
        {
            o.Connection(cluster.ConnectionString);
            LedgerMarten.ConfigureEventStore(o, serializer);
            LedgerProjections.Configure(o);
        });
        await SchemaMigration.ApplyAsync(documents);

        var load = Stopwatch.StartNew();
        var now = Instant.FromUtc(2026, 4, 1, 0, 0);
        for (var from = 0; from < quotes; from += 10_000)
            await documents.BulkInsertDocumentsAsync(Enumerable.Range(from, Math.Min(10_000, quotes - from)).Select(i => View(i, now)).ToList());
        await using (var session = documents.LightweightSession())
            await session.ExecuteAsync(new Npgsql.NpgsqlCommand("analyze"));
        Console.WriteLine($"stored {quotes:N0} quote views in {load.Elapsed.TotalSeconds:F0} s");

        var query = new DiscrepancyQuery(documents, new FixedClock(now), ReconciliationSlas.Defaults);
        var open = new DiscrepancyFilter("open");
        var hubspot = new DiscrepancyFilter("open", Crm: "hubspot");
        var (sql, memory, sqlCrm, memoryCrm) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
        for (var round = 0; round <= Rounds; round++)
        {
            var inDatabase = await TimeAsync(() => query.ListAsync(open, 1, 50, CancellationToken.None));
            var inMemory = await TimeAsync(() => query.ListFromDocumentsAsync(open, 1, 50, CancellationToken.None));
            var crmInDatabase = await TimeAsync(() => query.ListAsync(hubspot, 1, 50, CancellationToken.None));
            var crmInMemory = await TimeAsync(() => query.ListFromDocumentsAsync(hubspot, 1, 50, CancellationToken.None));
            // The two ways must agree, or the figures compare different work.
            if (inDatabase.Page.Total != inMemory.Page.Total || inDatabase.Page.Total != (quotes + WithDiscrepancyEvery - 1) / WithDiscrepancyEvery)
                throw new InvalidOperationException($"The lists disagree: {inDatabase.Page.Total} in the database, {inMemory.Page.Total} from the views.");
            if (round == 0) continue; // warms up the JIT, the pools and the database's caches
            sql.Add(inDatabase.Ms);
            memory.Add(inMemory.Ms);
            sqlCrm.Add(crmInDatabase.Ms);
            memoryCrm.Add(crmInMemory.Ms);
        }

        var figures = new
        {
            quotes,
            openDiscrepancies = (quotes + WithDiscrepancyEvery - 1) / WithDiscrepancyEvery,
            firstPageInDatabaseMedianMs = Median(sql),
            firstPageFromViewsMedianMs = Median(memory),
            speedup = Median(memory) / Median(sql),
            oneCrmInDatabaseMedianMs = Median(sqlCrm),
            oneCrmFromViewsMedianMs = Median(memoryCrm),
            loadSeconds = load.Elapsed.TotalSeconds,
            sql, memory, sqlCrm, memoryCrm,
        };
        Console.WriteLine($"finance's first page of open discrepancies (50 rows of {figures.openDiscrepancies:N0}) with {quotes:N0} quote views, median of {Rounds}:");
        Console.WriteLine($"  in PostgreSQL (the API):      {figures.firstPageInDatabaseMedianMs,10:F1} ms   one CRM: {figures.oneCrmInDatabaseMedianMs,10:F1} ms");
        Console.WriteLine($"  from the loaded views (as-of): {figures.firstPageFromViewsMedianMs,10:F1} ms   one CRM: {figures.oneCrmFromViewsMedianMs,10:F1} ms");
        Console.WriteLine($"  the views' way takes {figures.speedup:F1}x as long");
        await BenchResults.WriteAsync(outFolder, $"finance-{quotes}", "finance",
            new { quotes, rounds = Rounds, withDiscrepancyEvery = WithDiscrepancyEvery, backend = "postgres (throwaway cluster, fsync on)" }, figures);
        return 0;
    }

    private static async Task<(DiscrepancyPage Page, double Ms)> TimeAsync(Func<Task<DiscrepancyPage>> list)
    {
        var clock = Stopwatch.StartNew();
        var page = await list();
        return (page, clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>A sent quote of one of four CRMs; every hundredth accepted two weeks ago and never ordered (QTC-01, open).</summary>
    private static QuoteView View(int i, Instant now)
    {
        var id = $"Q-{i:D7}";
        var at = now - Duration.FromDays(14) + Duration.FromSeconds(i % 86_400);
        var source = new EventRef($"quote-{id}", i, Guid.NewGuid(), "quote-sent.v1", at);
        var view = new QuoteView
        {
            Id = id, SourceCrm = Crms[i % Crms.Length], CrmOpportunityId = $"OPP-{i}", CrmAccountId = $"ACC-{i % 5_000}", CustomerId = $"C-{i % 5_000}",
            Owner = "rep", Region = "EMEA", Segment = "enterprise", Currency = "EUR",
            Status = new Sourced<QuoteStatus>(QuoteStatus.Sent, source), Revision = new Sourced<int>(1, source),
            Totals = new Sourced<QuoteTotals>(new QuoteTotals(12_000m, 1_200m, 10_800m, "EUR"), source),
            Through = source,
        };
        if (i % WithDiscrepancyEvery == 0)
        {
            var rule = DiscrepancyRules.AcceptedNotOrdered;
            view.Accepted = new Sourced<Amount>(new Amount(10_800m, "EUR"), source);
            view.Discrepancies.Add(new Discrepancy
            {
                Id = new DiscrepancyId(rule.Code, 1, id).ToString(), Rule = rule.Code, RuleName = rule.Name, Occurrence = 1, Subject = id,
                Severity = rule.Severity, Owner = rule.Owner, Crms = [view.SourceCrm!], Expected = new Amount(10_800m, "EUR"),
                Detail = "accepted, never ordered", OpenedBy = source, Evidence = [source],
            });
        }
        return view;
    }

    private sealed class FixedClock(Instant now) : IClock
    {
        public Instant GetCurrentInstant() => now;
    }

    private static double Median(List<double> values) => BenchResults.Percentile(values.Order().ToList(), 0.50);
}
