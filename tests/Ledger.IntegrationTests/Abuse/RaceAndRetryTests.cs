using System.Net;
using Ledger.IntegrationTests.Journeys;
using Xunit;
using Xunit.Abstractions;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Abuse;

/// <summary>
/// Many clients racing one quote, and clients retrying every command (some after a dropped connection): the quote
/// ends in a state its state machine allows, and no step is ever recorded twice.
/// </summary>
public sealed class RaceAndRetryTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Racers = 10;
    private LedgerWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await StartAsync(nameof(RaceAndRetryTests));
        await _world.PublishCatalogAndPolicyAsync();
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task Racing_approvals_acceptances_and_orders_each_record_exactly_one_step()
    {
        var sf = _world.Salesforce;
        // 25% discount: deal desk and VP must approve.
        await Steps(sf, "Q-RACE", discount: 25, ["submit"]);

        var grants = await Race(_ => Post(_world.Approver, "/approvals/Q-RACE/1/grant", new { level = "DealDesk", approver = "vic.desk" }));
        var vp = await Race(_ => Post(_world.Approver, "/approvals/Q-RACE/1/grant", new { level = "VicePresident", approver = "val.vp" }));
        await _world.ReactionsSettledAsync(); // the quote is approved by a reaction to the completed approval
        (await Post(sf, "/quotes/Q-RACE/send", new { documentHash = "sha256:race" })).EnsureAccepted();
        var accepts = await Race(i => Post(sf, "/quotes/Q-RACE/accept", new { revision = 1, acceptanceType = "signature", signer = $"signer-{i}" }));
        var orders = await Race(_ => Post(sf, "/quotes/Q-RACE/order", new { billingAccount = "BA-1" }));
        output.WriteLine($"deal desk grants {Summary(grants)}; VP grants {Summary(vp)}; accepts {Summary(accepts)}; orders {Summary(orders)}");
        await _world.ReactionsSettledAsync();

        var approval = (await _world.StreamAsync("approval-Q-RACE-r1")).Select(e => e.Type).ToList();
        Assert.Equal(["approval-requested.v1", "approval-level-granted.v2", "approval-level-granted.v2", "approval-completed.v1"], approval);
        var quote = (await _world.StreamAsync("quote-Q-RACE")).Select(e => e.Type).ToList();
        Assert.Equal(1, quote.Count(t => t == "quote-approved.v1"));
        Assert.Equal(1, quote.Count(t => t == "quote-accepted.v1"));
        Assert.Equal(1, quote.Count(t => t == "quote-converted-to-order.v1"));
        Assert.Single(await _world.StreamAsync("order-ord-Q-RACE"), e => e.Type == "order-placed.v2");
        // Every racer got an answer, never a 5xx; at least one was the one that did it.
        Assert.All(grants.Concat(vp).Concat(accepts).Concat(orders), s => Assert.True((int)s < 500, $"{s}"));
        Assert.Contains(accepts, s => s == HttpStatusCode.OK);
    }

    [Fact]
    public async Task Submit_racing_withdraw_ends_in_a_state_the_machine_allows()
    {
        var outcomes = new List<string>();
        for (var q = 0; q < 8; q++)
        {
            var id = $"Q-SW-{q}";
            await Steps(_world.Salesforce, id, discount: 5, []);
            var both = await Task.WhenAll(Post(_world.Salesforce, $"/quotes/{id}/submit"), Post(_world.Salesforce, $"/quotes/{id}/withdraw", new { reason = "lost" }));
            var (submit, withdraw) = (both[0], both[1]);
            var types = (await _world.StreamAsync($"quote-{id}")).Select(e => e.Type).ToList();
            outcomes.Add($"{id}: submit {(int)submit.StatusCode}, withdraw {(int)withdraw.StatusCode} → {types[^1]}");

            Assert.All(types.GroupBy(t => t), g => Assert.Single(g));
            Assert.Equal(withdraw.IsSuccessStatusCode, types.Contains("quote-withdrawn.v1"));
            Assert.Equal(submit.IsSuccessStatusCode, types.Contains("quote-approved.v1"));
            // Withdrawn is final: nothing follows it.
            if (types.Contains("quote-withdrawn.v1")) Assert.Equal("quote-withdrawn.v1", types[^1]);
        }
        foreach (var o in outcomes) output.WriteLine(o);
    }

    [Fact]
    public async Task Every_command_sent_three_times_with_one_key_is_recorded_once_and_answered_alike()
    {
        var sf = _world.Salesforce;
        var id = "Q-RETRY";
        var steps = new (string Path, object Body)[]
        {
            ("/quotes", QuoteToCashJourneyTests.Draft(id, "USD", "America/New_York")),
            ($"/quotes/{id}/lines", new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 3, discountPercent = 5 }),
            ($"/quotes/{id}/price", new { policyVersion = "P-2026.1" }),
            ($"/quotes/{id}/submit", new { }),
            ($"/quotes/{id}/send", new { documentHash = "sha256:retry" }),
            ($"/quotes/{id}/accept", new { revision = 1, acceptanceType = "purchase-order", signer = "PO-1" }),
            ($"/quotes/{id}/order", new { billingAccount = "BA-1" }),
        };
        var dropped = 0;
        foreach (var (path, body) in steps)
        {
            var key = $"retry:{path}";
            // Every other command's first attempt is cut off before its answer arrives (a dropped connection).
            if (dropped < 4 && path.Length % 2 == 0)
            {
                using var impatient = _world.Ledger.ClientWithKey(SalesforceKey);
                impatient.Timeout = TimeSpan.FromMilliseconds(1);
                try { await Post(impatient, path, body, key); } catch (TaskCanceledException) { dropped++; }
            }
            var twice = await Task.WhenAll(Post(sf, path, body, key), Post(sf, path, body, key));
            var third = await Post(sf, path, body, key);
            var answers = await Task.WhenAll(twice.Append(third).Select(async r => ((int)r.StatusCode, await r.Content.ReadAsStringAsync())));
            Assert.All(answers, a => Assert.True(a.Item1 is >= 200 and < 300, $"{path}: {a.Item1} {a.Item2}"));
            // The same answer every time, except that a replay may say so.
            Assert.Single(answers.Select(a => a.Item2.Replace("\"replayed\":true", "\"replayed\":false")).Distinct());
        }
        await _world.ReactionsSettledAsync();
        var quote = (await _world.StreamAsync($"quote-{id}")).Select(e => e.Type).ToList();
        output.WriteLine($"commands {steps.Length}, attempts {steps.Length * 3 + dropped}, dropped first attempts {dropped}, quote events {quote.Count}");
        Assert.All(quote.GroupBy(t => t), g => Assert.Single(g));
        Assert.Equal(["quote-drafted.v1", "quote-line-added.v1", "quote-priced.v1", "quote-submitted-for-approval.v1", "quote-approved.v1", "quote-sent.v1", "quote-accepted.v1", "quote-converted-to-order.v1"],
            quote);
        Assert.Single(await _world.StreamAsync($"order-ord-{id}"), e => e.Type == "order-placed.v2");
    }

    /// <summary>Drafts, adds a line at <paramref name="discount"/>%, prices, then takes the named further steps.</summary>
    private async Task Steps(HttpClient crm, string id, int discount, string[] then)
    {
        (await Post(crm, "/quotes", QuoteToCashJourneyTests.Draft(id, "EUR", "Europe/Berlin"))).EnsureAccepted();
        (await Post(crm, $"/quotes/{id}/lines", new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 10, discountPercent = discount })).EnsureAccepted();
        (await Post(crm, $"/quotes/{id}/price", new { policyVersion = "P-2026.1" })).EnsureAccepted();
        foreach (var step in then) (await Post(crm, $"/quotes/{id}/{step}")).EnsureAccepted();
        await _world.ReactionsSettledAsync(); // what the steps cause on other streams (an approval requested) is in the log
    }

    /// <summary>The same command from <see cref="Racers"/> clients at once, each with its own idempotency key.</summary>
    private static async Task<HttpStatusCode[]> Race(Func<int, Task<HttpResponseMessage>> send)
    {
        using var start = new SemaphoreSlim(0);
        var racers = Enumerable.Range(0, Racers).Select(async i => { await start.WaitAsync(); return (await send(i)).StatusCode; }).ToList();
        start.Release(Racers);
        return await Task.WhenAll(racers);
    }

    private static string Summary(HttpStatusCode[] statuses) =>
        string.Join(" ", statuses.GroupBy(s => (int)s).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}"));
}
