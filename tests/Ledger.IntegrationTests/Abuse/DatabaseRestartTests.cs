using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Ledger.IntegrationTests.Journeys;
using Ledger.LocalPostgres;
using Ledger.Testing;
using Npgsql;
using Xunit;
using Xunit.Abstractions;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Abuse;

/// <summary>
/// PostgreSQL restarts under load: while it is down every command gets 503 problem details (never a 500), the API
/// recovers without a restart of its own, and every command acknowledged before, during or after is stored once.
/// </summary>
public sealed class DatabaseRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private LocalPostgresCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _cluster = await TestPostgres.ThrowawayClusterAsync(nameof(DatabaseRestartTests));
        await _cluster.StartAsync();
        await _cluster.CreateDatabaseIfMissingAsync("ledger");
    }

    public async Task DisposeAsync() => await _cluster.DeleteAsync();

    [Fact]
    public async Task Commands_get_503_while_postgres_is_down_and_none_acknowledged_is_lost()
    {
        await using var ledger = await RunningLedger.StartAsync(_cluster.ConnectionString("ledger"), new Dictionary<string, string?>
        {
            ["Ledger:Clients:salesforce:Key"] = SalesforceKey, ["Ledger:Clients:salesforce:Role"] = "crm", ["Ledger:Clients:salesforce:Crm"] = "salesforce",
            ["Ledger:Clients:stewards:Key"] = AdminKey, ["Ledger:Clients:stewards:Role"] = "admin",
        });
        using var crm = ledger.ClientWithKey(SalesforceKey);
        using var admin = ledger.ClientWithKey(AdminKey);
        await PublishCatalogAndPolicyAsync(admin);
        await LinkReferenceCustomerAsync(admin, "salesforce");

        var down = false;
        var statuses = new ConcurrentDictionary<string, int>();
        var acknowledged = new ConcurrentBag<string>();
        var notProblems = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 2).Select(c => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var quoteId = $"Q-DB-{c}-{i}";
                // A CRM retries an unanswered or 503 command with the same key until it is answered.
                while (true)
                {
                    using var response = await Post(crm, "/quotes", QuoteToCashJourneyTests.Draft(quoteId, "EUR", "Europe/Berlin"), quoteId);
                    var status = (int)response.StatusCode;
                    statuses.AddOrUpdate($"{(Volatile.Read(ref down) ? "down" : "up")} {status}", 1, (_, n) => n + 1);
                    if (status >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                        notProblems.Add($"{status} {await response.Content.ReadAsStringAsync()}");
                    if (response.IsSuccessStatusCode) { acknowledged.Add(quoteId); break; }
                    if (status != 503) { notProblems.Add($"unexpected {status}"); break; }
                    await Task.Delay(100);
                }
            }
        })).ToList();

        await Task.Delay(1000);
        Volatile.Write(ref down, true);
        await _cluster.StopAsync();
        await Task.Delay(3000);
        await _cluster.StartAsync();
        var recovery = Stopwatch.StartNew();
        Volatile.Write(ref down, false);
        var before = acknowledged.Count;
        while (acknowledged.Count < before + 5 && recovery.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(50);
        var recoveredAfter = recovery.Elapsed;
        await Task.Delay(1000);
        stop.Cancel();
        await Task.WhenAll(clients);

        // Read through the port: the system of record in either mode (in EventStoreDB mode PostgreSQL's copy may trail).
        var drafted = (await ledger.AllEventsAsync()).Where(e => e.Type == "quote-drafted.v1")
            .GroupBy(e => e.StreamId).ToDictionary(g => g.Key, g => g.LongCount());

        var lost = acknowledged.Count(q => !drafted.ContainsKey($"quote-{q}"));
        var duplicated = drafted.Count(d => d.Value > 1);
        output.WriteLine($"answers: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}; acknowledged {acknowledged.Count}, " +
                         $"stored {drafted.Count}, lost {lost}, duplicated {duplicated}; commands flowed again {recoveredAfter.TotalSeconds:F1} s after PostgreSQL was back");
        Assert.Empty(notProblems);
        Assert.True(statuses.ContainsKey("down 503"), "no command was answered 503 while PostgreSQL was down");
        Assert.DoesNotContain(statuses.Keys, k => k.EndsWith(" 500", StringComparison.Ordinal));
        Assert.True(acknowledged.Count >= before + 5, "commands did not flow again within 60 s of PostgreSQL's restart");
        Assert.Equal(0, lost);
        Assert.Equal(0, duplicated);
        Assert.Equal(HttpStatusCode.OK, (await ledger.Http.GetAsync("/health/ready")).StatusCode);
    }
}
