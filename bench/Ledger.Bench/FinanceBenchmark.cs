using System.Diagnostics;
using System.Net.Http.Headers;
using Ledger.Application;
using Ledger.Domain.Quotes;
using Ledger.Domain.Reconciliation;
using Ledger.EventStore;
using Ledger.EventStore.Marten;
using Ledger.Projections;
using Ledger.Projections.Common;
using Ledger.Projections.Quotes;
using Ledger.Projections.Reconciliation;
using Ledger.Projections.Revenue;
using Marten;
using NodaTime;

namespace Ledger.Bench;

/// <summary>
/// <c>finance --quotes N</c>: finance's discrepancy list with N quote views stored (one in ten with an open discrepancy of
/// three rules, a seventh of those acknowledged; one in ten more with a closed one), on a throwaway PostgreSQL with fsync
/// on. Through the API's HTTP endpoint: the first page (50 rows) with no filter and with each single filter the endpoint
/// accepts, and the CSV of every open discrepancy (time, rows, and how much the process holding the API grew while it
/// streamed). Beside each, in the same run, the reference: the statement main ran before the occurrences' index
/// (<see cref="UnindexedDiscrepancyStatement"/>), and main's CSV (that statement's whole list, then the CSV built as one string).
/// </summary>
public static class FinanceBenchmark
{
    private const int Rounds = 30;
    private const int ReferenceRounds = 3;
    private const int OpenEvery = 10;
    private static readonly string[] Crms = ["salesforce", "hubspot", "dynamics", "partner-portal"];
    private static readonly DiscrepancyRule[] OpenRules = [DiscrepancyRules.AcceptedNotOrdered, DiscrepancyRules.BilledAmountMismatch, DiscrepancyRules.CrmStateStale];

    /// <summary>No filter, then one filter at a time: those that match many rows and those that match few or none.</summary>
    private static readonly (string Name, string Query, DiscrepancyFilter Filter)[] Cases =
    [
        ("open (no filter)", "", new DiscrepancyFilter()),
        ("rule QTC-01 (a third)", "rule=QTC-01", new DiscrepancyFilter(Rule: "QTC-01")),
        ("rule QTC-09 (none)", "rule=QTC-09", new DiscrepancyFilter(Rule: "QTC-09")),
        ("crm hubspot (a quarter)", "crm=hubspot", new DiscrepancyFilter(Crm: "hubspot")),
        ("crm zoho (none)", "crm=zoho", new DiscrepancyFilter(Crm: "zoho")),
        ("owner finance (a third)", "owner=finance", new DiscrepancyFilter(Owner: "finance")),
        ("owner deal-desk (none)", "owner=deal-desk", new DiscrepancyFilter(Owner: "deal-desk")),
        ("minAgeHours 24 (all)", "minAgeHours=24", new DiscrepancyFilter(MinAge: Duration.FromHours(24))),
        ("minAgeHours 720 (none)", "minAgeHours=720", new DiscrepancyFilter(MinAge: Duration.FromHours(720))),
        ("status acknowledged (a seventh)", "status=acknowledged", new DiscrepancyFilter("acknowledged")),
        ("status closed (history)", "status=closed", new DiscrepancyFilter("closed")),
        ("status all", "status=all", new DiscrepancyFilter("all")),
    ];

    public static async Task<int> RunAsync(int quotes, string outFolder, bool explain = false)
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
        var now = SystemClock.Instance.GetCurrentInstant();
        for (var from = 0; from < quotes; from += 10_000)
            await documents.BulkInsertDocumentsAsync(Enumerable.Range(from, Math.Min(10_000, quotes - from)).Select(i => View(i, now)).ToList());
        await using (var session = documents.LightweightSession())
            await session.ExecuteAsync(new Npgsql.NpgsqlCommand("vacuum analyze"));
        var open = (quotes + OpenEvery - 1) / OpenEvery;
        Console.WriteLine($"stored {quotes:N0} quote views ({open:N0} open discrepancies) in {load.Elapsed.TotalSeconds:F0} s");

        if (explain) await ExplainAsync(documents);

        await using var ledger = await LedgerUnderTest.StartAsync(cluster.ConnectionString);
        using var http = ledger.Client(LedgerUnderTest.AdminKey);
        http.Timeout = TimeSpan.FromMinutes(5);
        var main = new UnindexedDiscrepancyStatement(documents, ReconciliationSlas.Defaults);

        // Warms up the JIT, the API's pools and PostgreSQL's caches before anything is timed.
        for (var round = 0; round < 20; round++)
            (await http.GetAsync($"reconciliation/discrepancies?pageSize=50&{Cases[round % Cases.Length].Query}")).EnsureSuccessStatusCode();
        var pages = new List<object>();
        Console.WriteLine($"first page (50 rows) through the API, {Rounds} rounds; main's statement beside it, {ReferenceRounds} rounds (machine shared: compare within the run):");
        foreach (var (name, query, filter) in Cases)
        {
            var times = new List<double>();
            long total = -1;
            var atLeast = false;
            for (var round = -3; round < Rounds; round++)
            {
                var clock = Stopwatch.StartNew();
                using var response = await http.GetAsync($"reconciliation/discrepancies?pageSize=50&{query}");
                var body = await response.EnsureSuccessStatusCode().Content.ReadAsStringAsync();
                if (round >= 0) times.Add(clock.Elapsed.TotalMilliseconds);
                var page = System.Text.Json.JsonDocument.Parse(body).RootElement;
                (total, atLeast) = (page.GetProperty("total").GetInt64(), page.GetProperty("totalIsAtLeast").GetBoolean());
            }
            var reference = new List<double>();
            long referenceTotal = -1;
            for (var round = -1; round < ReferenceRounds; round++)
            {
                var clock = Stopwatch.StartNew();
                referenceTotal = (await main.PageAsync(filter, SystemClock.Instance.GetCurrentInstant(), 50)).Total;
                if (round >= 0) reference.Add(clock.Elapsed.TotalMilliseconds);
            }
            // The two statements must agree, or the figures compare different work.
            if (atLeast ? referenceTotal < total : total != referenceTotal) throw new InvalidOperationException($"{name}: {total} through the API, {referenceTotal} by main's statement.");
            var sorted = times.Order().ToList();
            var figure = new
            {
                filter = name, query, total, totalIsAtLeast = atLeast, mainStatementTotal = referenceTotal, p50Ms = BenchResults.Percentile(sorted, 0.50), p99Ms = BenchResults.Percentile(sorted, 0.99),
                mainStatementMedianMs = Median(reference), times, mainStatement = reference,
            };
            pages.Add(figure);
            Console.WriteLine($"  {name,-32} {referenceTotal,9:N0} rows{(atLeast ? " (API: 10,000+)" : "               ")}   p50 {figure.p50Ms,7:F1} ms   p99 {figure.p99Ms,7:F1} ms   main's statement {figure.mainStatementMedianMs,8:F1} ms");
        }

        var csv = await CsvThroughApiAsync(http, open);
        Console.WriteLine($"CSV of all open discrepancies through the API: {csv.Rows:N0} rows, {csv.Bytes / 1e6:F1} MB in {csv.Seconds:F2} s; " +
                          $"the process grew by at most {csv.ManagedGrowthBytes / 1e6:F1} MB managed, {csv.WorkingSetGrowthBytes / 1e6:F1} MB working set");
        var mainCsv = await MainCsvAsync(main, open);
        Console.WriteLine($"  main's CSV (whole list, then one string): {mainCsv.Rows:N0} rows, {mainCsv.Bytes / 1e6:F1} MB in {mainCsv.Seconds:F2} s; " +
                          $"grew by {mainCsv.ManagedGrowthBytes / 1e6:F1} MB managed, {mainCsv.WorkingSetGrowthBytes / 1e6:F1} MB working set");

        var revenue = new RevenueSummary(documents);
        var revenueTimes = new List<double>();
        for (var round = -1; round < ReferenceRounds; round++)
        {
            var clock = Stopwatch.StartNew();
            await revenue.ReadAsync(null, CancellationToken.None);
            if (round >= 0) revenueTimes.Add(clock.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine($"revenue summary in SQL over {quotes:N0} quote views: {Median(revenueTimes):F0} ms (median of {ReferenceRounds})");

        var figures = new { quotes, openDiscrepancies = open, loadSeconds = load.Elapsed.TotalSeconds, pages, csv, mainCsv, revenueSummaryInSqlMedianMs = Median(revenueTimes), revenueTimes };
        await BenchResults.WriteAsync(outFolder, $"finance-{quotes}", "finance",
            new { quotes, rounds = Rounds, referenceRounds = ReferenceRounds, openEvery = OpenEvery, backend = "postgres (throwaway cluster, fsync on); API in process over HTTP" }, figures);
        return 0;
    }

    /// <summary>The page statement of each case, run under EXPLAIN (ANALYZE, BUFFERS): where its time goes.</summary>
    private static async Task ExplainAsync(IDocumentStore documents)
    {
        var query = new DiscrepancyQuery(documents, SystemClock.Instance, ReconciliationSlas.Defaults);
        await using var connection = documents.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        foreach (var (name, _, filter) in Cases)
        {
            if (query.PageStatement(filter, 1, 50, SystemClock.Instance.GetCurrentInstant()) is not { } statement) continue;
            var (text, parameters) = statement;
            await using var command = parameters.Command($"explain (analyze, buffers) {text}", connection);
            await using var reader = await command.ExecuteReaderAsync();
            Console.WriteLine($"--- {name}");
            while (await reader.ReadAsync()) Console.WriteLine(reader.GetString(0));
        }
    }

    public sealed record CsvFigures(long Rows, long Bytes, double Seconds, long ManagedGrowthBytes, long WorkingSetGrowthBytes);

    /// <summary>Reads the CSV as it streams (lines counted, nothing kept) while the process's memory is sampled.</summary>
    private static Task<CsvFigures> CsvThroughApiAsync(HttpClient http, int open) => MeasureAsync(async () =>
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "reconciliation/discrepancies?format=csv");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        using var response = (await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead)).EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        long lines = 0, bytes = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            bytes += read;
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
        }
        return (lines - 1, bytes);
    }, open);

    /// <summary>Main's CSV: its statement's whole list, each row made, then the whole CSV as one string.</summary>
    private static Task<CsvFigures> MainCsvAsync(UnindexedDiscrepancyStatement main, int open) => MeasureAsync(async () =>
    {
        var page = await main.PageAsync(new DiscrepancyFilter(), SystemClock.Instance.GetCurrentInstant(), int.MaxValue);
        var text = Ledger.Api.Reconciliation.DiscrepancyEndpoints.Csv(page.Items);
        return (page.Items.Count, (long)System.Text.Encoding.UTF8.GetByteCount(text));
    }, open);

    private static async Task<CsvFigures> MeasureAsync(Func<Task<(long Rows, long Bytes)>> run, int open)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var (managed, working) = (GC.GetTotalMemory(false), Environment.WorkingSet);
        var (peakManaged, peakWorking) = (managed, working);
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peakManaged = Math.Max(peakManaged, GC.GetTotalMemory(false));
                peakWorking = Math.Max(peakWorking, Environment.WorkingSet);
                try { await Task.Delay(10, sampling.Token); } catch (OperationCanceledException) { }
            }
        });
        var clock = Stopwatch.StartNew();
        var (rows, bytes) = await run();
        var seconds = clock.Elapsed.TotalSeconds;
        await sampling.CancelAsync();
        await sampler;
        if (rows != open) throw new InvalidOperationException($"The CSV has {rows} rows, not the {open} open discrepancies.");
        return new CsvFigures(rows, bytes, seconds, peakManaged - managed, peakWorking - working);
    }

    /// <summary>A quote of one of four CRMs, half of them accepted (for the revenue summary); one in ten has an open discrepancy, one in ten a closed one.</summary>
    private static QuoteReconciliation View(int i, Instant now)
    {
        var id = $"Q-{i:D7}";
        var at = now - Duration.FromDays(14) + Duration.FromSeconds(i % 86_400);
        var source = new EventRef($"quote-{id}", i, Guid.NewGuid(), "quote-sent.v1", at);
        var view = new QuoteReconciliation
        {
            Id = id, SourceCrm = Crms[i / OpenEvery % Crms.Length], CrmOpportunityId = $"OPP-{i}", CrmAccountId = $"ACC-{i % 5_000}", CustomerId = $"C-{i % 5_000}",
            Owner = "rep", Region = i % 3 == 0 ? "EMEA" : "AMER", Segment = "enterprise", Currency = "EUR",
            Status = new Sourced<QuoteStatus>(QuoteStatus.Sent, source), Revision = new Sourced<int>(1, source),
            Totals = new Sourced<QuoteTotals>(new QuoteTotals(12_000m, 1_200m, 10_800m, "EUR"), source),
            Through = source,
        };
        if (i % 2 == 0) view.Accepted = new Sourced<Amount>(new Amount(10_800m, "EUR"), source with { At = at - Duration.FromDays(i % 60) });
        if (i % OpenEvery is 0 or 5)
        {
            var rule = i % OpenEvery == 5 ? DiscrepancyRules.BilledAmountMismatch : OpenRules[i / OpenEvery % OpenRules.Length];
            var acknowledged = i % OpenEvery == 0 && i / OpenEvery % 7 == 3;
            view.Discrepancies.Add(new Discrepancy
            {
                Id = new DiscrepancyId(rule.Code, 1, id).ToString(), Rule = rule.Code, RuleName = rule.Name, Occurrence = 1, Subject = id,
                Severity = rule.Severity, Owner = rule.Owner, Crms = [view.SourceCrm!], Expected = new Amount(10_800m, "EUR"),
                Detail = "a bench finding", OpenedBy = source, Evidence = [source],
                ClosedBy = i % OpenEvery == 5 ? source with { At = at + Duration.FromDays(1) } : null,
                AcknowledgedBy = acknowledged ? source with { At = at + Duration.FromDays(3) } : null,
            });
        }
        return view;
    }

    private static double Median(List<double> values) => BenchResults.Percentile(values.Order().ToList(), 0.50);
}
