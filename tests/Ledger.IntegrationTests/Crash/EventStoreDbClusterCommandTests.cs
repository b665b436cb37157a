using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Ledger.IntegrationTests.Journeys;
using Ledger.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Ledger.IntegrationTests.Crash;

/// <summary>
/// The ledger on a three-node EventStoreDB cluster (opt-in, <see cref="TestEventStoreCluster"/>): CRM clients draft quotes
/// and add lines over HTTP while the cluster's leader is shut down; commands go on after the election (a command waiting
/// for it is answered late, or sent again under its key), and every acknowledged command's events are on the cluster, once.
/// </summary>
public sealed class EventStoreDbClusterCommandTests(ITestOutputHelper output)
{
    private const int Clients = 4;
    private const int QuotesEachSide = 6;

    private sealed record Ack(string StreamId, long Revision, string LastEventType);

    [SkippableFact]
    public async Task Commands_go_on_across_a_leader_kill_and_nothing_acknowledged_is_lost()
    {
        var (cluster, unavailable) = await TestEventStoreCluster.FindAsync();
        Skip.If(unavailable is not null, unavailable);
        var prefix = $"cl{Guid.NewGuid():N}"[..14] + ".";
        await using var world = await LedgerWorld.StartAsync("esdbcluster", settings: new Dictionary<string, string?>
        {
            [TestEventStore.LedgerVariable] = (cluster! with { StreamPrefix = prefix }).ToString(),
        });
        await world.PublishCatalogAndPolicyAsync();
        var acks = new ConcurrentBag<Ack>();
        var killed = new TaskCompletionSource<string>();
        var killing = 0;
        var resent = 0;

        await Task.WhenAll(Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
        {
            var crm = c % 2 == 0 ? world.Salesforce : world.HubSpot;
            var afterKill = 0;
            for (var q = 0; afterKill < QuotesEachSide; q++)
            {
                var quoteId = $"Q-CL-{c}-{q}";
                foreach (var (path, body) in new (string, object)[]
                         {
                             ("/quotes", QuoteToCashJourneyTests.Draft(quoteId, "EUR", "Europe/Berlin")),
                             ($"/quotes/{quoteId}/lines", new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 10, discountPercent = 5 }),
                         })
                    acks.Add(await UntilAnsweredAsync(crm, path, body, $"{quoteId}:{path}", () => Interlocked.Increment(ref resent)));
                if (killed.Task.IsCompleted) afterKill++;
                else if (q + 1 >= QuotesEachSide && Interlocked.Exchange(ref killing, 1) == 0)
                    _ = Task.Run(async () => killed.TrySetResult(await TestEventStoreCluster.KillTheLeaderAsync(cluster)));
            }
        })));

        var stored = (await world.Ledger.AllEventsAsync()).GroupBy(e => e.StreamId).ToDictionary(g => g.Key, g => g.ToList());
        var found = acks.Count(a => stored.TryGetValue(a.StreamId, out var events) && a.Revision < events.Count && events[(int)a.Revision].Type == a.LastEventType);
        var duplicateIds = stored.Values.SelectMany(s => s).GroupBy(e => e.EventId).Count(g => g.Count() > 1);
        output.WriteLine($"leader killed: {await killed.Task}; commands acknowledged {acks.Count}, stored {found}, lost {acks.Count - found}, " +
                         $"duplicate event ids {duplicateIds}, commands sent again under their key {resent}");
        Assert.Equal(acks.Count, found);
        Assert.Equal(0, duplicateIds);
    }

    /// <summary>Sends a command under one key until it is answered: a 5xx or a dropped call (the cluster electing) is sent again.</summary>
    private static async Task<Ack> UntilAnsweredAsync(HttpClient crm, string path, object body, string key, Action resent)
    {
        for (var until = DateTime.UtcNow.AddMinutes(3); ; resent())
        {
            if (DateTime.UtcNow > until) throw new Xunit.Sdk.XunitException($"{path} ({key}) was never answered within 3 minutes.");
            try
            {
                using var response = await LedgerWorld.Post(crm, path, body, key);
                if ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    await Task.Delay(200);
                    continue;
                }
                var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {json}");
                return new Ack(json.GetProperty("streamId").GetString()!, json.GetProperty("revision").GetInt64(),
                    json.GetProperty("events").EnumerateArray().Last().GetString()!);
            }
            catch (Exception e) when (ApiProcess.NoAnswer(e))
            {
                await Task.Delay(200);
            }
        }
    }
}
