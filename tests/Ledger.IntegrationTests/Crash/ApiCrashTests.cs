using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Ledger.Application;
using Ledger.EventStore;
using Ledger.EventStore.Marten;
using Ledger.EventStore.Verification;
using Ledger.IntegrationTests.Journeys;
using Ledger.IntegrationTests.Projections;
using Ledger.Projections;
using Ledger.Testing;
using Npgsql;
using Xunit;
using Xunit.Abstractions;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Crash;

/// <summary>
/// CRM clients run quote journeys while the API process is killed with SIGKILL at random moments and started again.
/// A client that gets no answer retries with the same idempotency key, as a CRM integration does. Afterwards every
/// acknowledged command is in the store exactly once, no stream holds a torn or repeated step, every hash chain is
/// intact, and the projections the daemon caught up equal a full rebuild. <c>LEDGER_CRASH_KILLS</c> sets the number
/// of kills (default 5; the closing note's run used 20).
/// </summary>
public sealed class ApiCrashTests(ITestOutputHelper output)
{
    private const int Clients = 4;
    private static readonly int Kills = int.TryParse(Environment.GetEnvironmentVariable("LEDGER_CRASH_KILLS"), out var n) ? n : 5;

    private sealed record Ack(string QuoteId, string Path, string StreamId, long Revision, IReadOnlyList<string> Events);

    [Fact]
    public async Task Killing_the_api_at_random_moments_loses_no_acknowledged_command_and_repeats_none()
    {
        var database = await TestPostgres.CreateDatabaseAsync("crash");
        await using var api = new ApiProcess(database, new Dictionary<string, string>
        {
            ["Ledger:Clients:salesforce:Key"] = SalesforceKey, ["Ledger:Clients:salesforce:Role"] = "crm", ["Ledger:Clients:salesforce:Crm"] = "salesforce",
            ["Ledger:Clients:stewards:Key"] = AdminKey, ["Ledger:Clients:stewards:Role"] = "admin",
        });
        await api.StartAsync();
        using var admin = Client(api, AdminKey);
        await PublishCatalogAndPolicyAsync(admin);

        var acks = new ConcurrentBag<Ack>();
        var refusals = new ConcurrentBag<string>();
        var attempts = 0;
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
        {
            using var crm = Client(api, SalesforceKey);
            for (var j = 0; !stop.IsCancellationRequested; j++)
            {
                var quoteId = $"Q-CRASH-{c}-{j}";
                foreach (var (path, body) in Journey(quoteId))
                {
                    // The same key on every attempt: an unanswered command is sent again until it is answered.
                    var key = $"{quoteId}:{path}";
                    while (true)
                    {
                        Interlocked.Increment(ref attempts);
                        try
                        {
                            using var response = await Post(crm, path, body, key);
                            if ((int)response.StatusCode >= 500) { await Task.Delay(100); continue; }
                            var text = await response.Content.ReadAsStringAsync();
                            if (!response.IsSuccessStatusCode) { refusals.Add($"{path}: {(int)response.StatusCode} {text}"); break; }
                            var json = JsonDocument.Parse(text).RootElement;
                            acks.Add(new Ack(quoteId, path, json.GetProperty("streamId").GetString()!, json.GetProperty("revision").GetInt64(),
                                json.GetProperty("events").EnumerateArray().Select(e => e.GetString()!).ToList()));
                            break;
                        }
                        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                        {
                            await Task.Delay(100);
                        }
                    }
                }
            }
        })).ToList();

        var random = new Random(20261123);
        for (var kill = 0; kill < Kills; kill++)
        {
            await Task.Delay(random.Next(200, 1500));
            await api.KillAsync();
            await api.StartAsync();
        }
        stop.Cancel();
        await Task.WhenAll(clients);

        // What the store holds, read through the port.
        var serializer = new EventSerializer(LedgerEventTypes.Registry());
        using var documents = LedgerMarten.CreateStore(database, serializer);
        await using var dataSource = NpgsqlDataSource.Create(database);
        var store = new HashChainingEventStore(new MartenBackend(documents, dataSource, serializer));
        var streams = new Dictionary<string, List<RecordedEvent>>();
        await foreach (var e in store.ReadAllAsync(GlobalPosition.Start, int.MaxValue))
            (streams.TryGetValue(e.StreamId, out var list) ? list : streams[e.StreamId] = []).Add(e);

        var found = acks.Count(a => a.Events.Count == 0 ||
            streams.TryGetValue(a.StreamId, out var s) && a.Revision < s.Count && s[(int)a.Revision].Type == a.Events[^1]);
        var duplicateIds = streams.Values.SelectMany(s => s).GroupBy(e => e.EventId).Count(g => g.Count() > 1);
        // Each step of a journey happens once: no quote, order or billing stream holds one event type twice
        // (except lines, added once here too).
        var repeatedSteps = streams.Values.Sum(s => s.GroupBy(e => e.Type).Count(g => g.Count() > 1));
        var journeys = acks.Select(a => a.QuoteId).Distinct().Count();
        output.WriteLine($"kills {Kills}, API starts {api.Starts}, journeys {journeys}, command attempts {attempts}, acknowledged {acks.Count}, " +
                         $"found {found}, lost {acks.Count - found}, duplicate event ids {duplicateIds}, repeated steps {repeatedSteps}, refused {refusals.Count}");
        Assert.Empty(refusals);
        Assert.Equal(acks.Count, found);
        Assert.Equal(0, duplicateIds);
        Assert.Equal(0, repeatedSteps);
        Assert.Equal(journeys * Journey("x").Count, acks.Count);

        var chains = await new ChainVerifier(store).VerifyAllAsync();
        Assert.All(chains, c => Assert.True(c.Intact, $"{c.StreamId}: {c.FirstBrokenLink?.Detail}"));

        // The daemon of the last API process catches up; its documents must equal a rebuild's.
        var catchUp = System.Diagnostics.Stopwatch.StartNew();
        var caughtUp = await Within(TimeSpan.FromSeconds(90), async () => (await (await admin.GetAsync("/projections")).Json()).EnumerateArray().ToList(),
            list => list.All(p => p.GetProperty("eventsBehind").GetInt64() == 0));
        output.WriteLine($"projections caught up {catchUp.Elapsed.TotalSeconds:F1} s after the load stopped");
        Assert.All(caughtUp, p => Assert.Equal(0, p.GetProperty("eventsBehind").GetInt64()));
        var live = await ViewDocuments.ReadAsync(database);
        foreach (var name in LedgerProjections.Names)
            Assert.Equal(HttpStatusCode.Accepted, (await Post(admin, $"/projections/{name}/rebuild")).StatusCode);
        var rebuilt = await Eventually(async () => (await (await admin.GetAsync("/projections")).Json()).EnumerateArray().ToList(),
            list => list.All(p => p.GetProperty("rebuild").ValueKind == JsonValueKind.Object && p.GetProperty("rebuild").GetProperty("status").GetString() != "Running"));
        Assert.All(rebuilt, p => Assert.Equal("Completed", p.GetProperty("rebuild").GetProperty("status").GetString()));
        var fromScratch = await ViewDocuments.ReadAsync(database);
        Assert.Equal(journeys, live.Keys.Count(k => k.StartsWith("QuoteView/", StringComparison.Ordinal)));
        Assert.Equal(live.Keys.Order(), fromScratch.Keys.Order());
        Assert.All(live, d => Assert.Equal(d.Value, fromScratch[d.Key]));
    }

    private static async Task<T> Within<T>(TimeSpan limit, Func<Task<T>> probe, Func<T, bool> done)
    {
        var until = DateTime.UtcNow + limit;
        while (true)
        {
            var value = await probe();
            if (done(value) || DateTime.UtcNow > until) return value;
            await Task.Delay(200);
        }
    }

    /// <summary>A quote within policy from draft to order, as one CRM integration sends it.</summary>
    private static List<(string Path, object Body)> Journey(string quoteId) =>
    [
        ("/quotes", QuoteToCashJourneyTests.Draft(quoteId, "USD", "America/New_York")),
        ($"/quotes/{quoteId}/lines", new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 3, discountPercent = 5 }),
        ($"/quotes/{quoteId}/price", new { policyVersion = "P-2026.1" }),
        ($"/quotes/{quoteId}/submit", new { }),
        ($"/quotes/{quoteId}/send", new { documentHash = $"sha256:{quoteId}" }),
        ($"/quotes/{quoteId}/accept", new { revision = 1, acceptanceType = "purchase-order", signer = "PO-1" }),
        ($"/quotes/{quoteId}/order", new { billingAccount = "BA-1" }),
    ];

    private static HttpClient Client(ApiProcess api, string key)
    {
        var http = new HttpClient { BaseAddress = api.Address, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return http;
    }
}
