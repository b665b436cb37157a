using System.Net;
using System.Text.Json;
using Ledger.IntegrationTests.Journeys;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Crm;

/// <summary>
/// Changes to a CRM's quotes pushed to its webhook (ADR/0020), over real HTTP to a receiver on its own Kestrel listener that
/// verifies signatures and refuses replays: in order per quote, retried, dead-lettered and replayed.
/// </summary>
public sealed class CrmWebhookTests : IAsyncLifetime
{
    private const string Secret = "whsec-salesforce-0123456789abcdef";
    private LedgerWorld _world = null!;
    private CrmWebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        // Short waits between attempts (three attempts in all), so that a test sees the whole schedule run out.
        _world = await StartAsync(nameof(CrmWebhookTests), settings: new Dictionary<string, string?>
        {
            ["Ledger:CrmWebhooks:RetryDelaysSeconds"] = "0.3,0.6",
            ["Ledger:CrmWebhooks:PollMilliseconds"] = "100",
        });
        await _world.PublishCatalogAndPolicyAsync();
        _receiver = await CrmWebhookReceiver.StartAsync(Secret);
    }

    public async Task DisposeAsync()
    {
        await _world.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task Every_change_of_each_quote_arrives_in_order_even_when_every_third_delivery_fails_first()
    {
        await RegisterAsync();
        // Every third verified delivery is answered 500 the first time: order must hold across the retries.
        var seen = 0;
        _receiver.Answer = (_, before) => before == 0 && Interlocked.Increment(ref seen) % 3 == 0 ? 500 : null;

        await Task.WhenAll(ToClosedOrderAsync(_world.Salesforce, "Q-WH-1"), ToClosedOrderAsync(_world.Salesforce, "Q-WH-2"));
        (await Post(_world.HubSpot, "/quotes", QuoteToCashJourneyTests.Draft("Q-WH-HS", "EUR", "Europe/Berlin"))).EnsureAccepted();

        var feed = await Eventually(() => FeedAsync(_world.Salesforce, "salesforce"),
            f => f.Count(c => c.GetProperty("type").GetString() == "order-closed.v1") == 2);
        var accepted = await Eventually(() => Task.FromResult(_receiver.Accepted), a => a.Select(x => x.ChangeId).Distinct().Count() >= feed.Count);

        foreach (var quote in new[] { "Q-WH-1", "Q-WH-2" })
        {
            var expected = feed.Where(c => c.GetProperty("quoteId").GetString() == quote).Select(c => c.GetProperty("changeId").GetGuid()).ToList();
            var received = accepted.Where(a => a.QuoteId == quote).Select(a => a.ChangeId).Distinct().ToList();
            Assert.Equal(expected, received);
            Assert.Equal(accepted.Where(a => a.QuoteId == quote).Select(a => a.Position).Order(), accepted.Where(a => a.QuoteId == quote).Select(a => a.Position));
        }
        // Quote state, approval, order and billing changes all reach the CRM, under the ledger's versioned names.
        var types = accepted.Where(a => a.QuoteId == "Q-WH-1").Select(a => a.Type).ToList();
        Assert.Equal(["quote-drafted.v1", "quote-line-added.v1", "quote-priced.v1", "quote-submitted-for-approval.v1", "approval-requested.v1",
            "approval-level-granted.v2", "approval-completed.v1", "quote-approved.v1", "quote-sent.v1", "quote-accepted.v1", "order-placed.v2",
            "quote-converted-to-order.v1", "billing-handoff-requested.v3", "billing-handoff-acknowledged.v1", "order-closed.v1"],
            types.Distinct());
        Assert.DoesNotContain(accepted, a => a.QuoteId == "Q-WH-HS");
        Assert.True(_receiver.Attempts.Count(a => a.Status == 500) >= 3, "some deliveries were refused first, so the retries were exercised");
        Assert.All(accepted, a => Assert.DoesNotContain("Ledger.", a.Body));
        Assert.Equal(0, _receiver.BadSignatures + _receiver.Stale + _receiver.Replays);
    }

    [Fact]
    public async Task A_receiver_answering_500_then_200_gets_the_change_again_under_a_new_delivery_id()
    {
        await RegisterAsync();
        _receiver.Answer = (_, before) => before == 0 ? 500 : null;
        (await Post(_world.Salesforce, "/quotes", QuoteToCashJourneyTests.Draft("Q-WH-RETRY", "EUR", "Europe/Berlin"))).EnsureAccepted();

        var accepted = await Eventually(() => Task.FromResult(_receiver.Accepted), a => a.Count == 1);
        var drafted = Assert.Single(accepted);
        Assert.Equal(("quote-drafted.v1", 2), (drafted.Type, drafted.Attempt));
        Assert.Equal([500, 200], _receiver.Attempts.Where(a => a.ChangeId == drafted.ChangeId).Select(a => a.Status));
        Assert.Equal("Q-WH-RETRY", drafted.Change.GetProperty("data").GetProperty("quoteId").GetString());
    }

    [Fact]
    public async Task A_wrong_secret_is_detected_and_nothing_is_accepted_until_the_secrets_agree()
    {
        await RegisterAsync();
        _receiver.Secret = "whsec-some-other-secret-entirely";
        (await Post(_world.Salesforce, "/quotes", QuoteToCashJourneyTests.Draft("Q-WH-SECRET", "EUR", "Europe/Berlin"))).EnsureAccepted();

        var dead = await Eventually(() => DeadLettersAsync(), d => d.Count == 1);
        Assert.True(_receiver.BadSignatures >= 3, $"every attempt fails verification ({_receiver.BadSignatures})");
        Assert.Empty(_receiver.Accepted);
        Assert.Equal("the CRM answered 401", dead[0].GetProperty("lastError").GetString());

        _receiver.Secret = Secret;
        (await Post(_world.Admin, "/crm/salesforce/webhook/dead-letters/Q-WH-SECRET/replay")).EnsureAccepted();
        var accepted = await Eventually(() => Task.FromResult(_receiver.Accepted), a => a.Count == 1);
        Assert.Equal("Q-WH-SECRET", Assert.Single(accepted).QuoteId);
    }

    [Fact]
    public async Task After_the_retries_run_out_the_quote_is_dead_lettered_its_later_changes_wait_and_a_replay_sends_them_in_order()
    {
        await RegisterAsync();
        var broken = true;
        _receiver.Answer = (change, _) => broken && change.QuoteId == "Q-WH-DEAD" ? 503 : null;
        (await Post(_world.Salesforce, "/quotes", QuoteToCashJourneyTests.Draft("Q-WH-DEAD", "EUR", "Europe/Berlin"))).EnsureAccepted();
        var dead = await Eventually(() => DeadLettersAsync(), d => d.Count == 1);
        Assert.Equal(3, _receiver.Attempts.Count(a => a.QuoteId == "Q-WH-DEAD")); // the first attempt and one after each of the 2 delays

        // Later changes of the dead-lettered quote wait behind it; another quote's go on.
        (await Post(_world.Salesforce, "/quotes/Q-WH-DEAD/lines", new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 1, discountPercent = 0 })).EnsureAccepted();
        (await Post(_world.Salesforce, "/quotes", QuoteToCashJourneyTests.Draft("Q-WH-ALIVE", "EUR", "Europe/Berlin"))).EnsureAccepted();
        await Eventually(() => Task.FromResult(_receiver.Accepted), a => a.Any(x => x.QuoteId == "Q-WH-ALIVE"));
        dead = await Eventually(() => DeadLettersAsync(), d => d.Count == 1 && d[0].GetProperty("held").GetInt64() == 2);
        var letter = Assert.Single(dead);
        Assert.Equal(("Q-WH-DEAD", "quote-drafted.v1", 3), (letter.GetProperty("quoteId").GetString(), letter.GetProperty("eventType").GetString(), letter.GetProperty("attempts").GetInt32()));
        Assert.Equal("the CRM answered 503", letter.GetProperty("lastError").GetString());
        Assert.Equal(2, letter.GetProperty("held").GetInt64());
        Assert.DoesNotContain(_receiver.Attempts, a => a.QuoteId == "Q-WH-DEAD" && a.Status != 503);
        Assert.Equal(HttpStatusCode.NotFound, (await Post(_world.Admin, "/crm/salesforce/webhook/dead-letters/Q-WH-ALIVE/replay")).StatusCode);
        // Operators see it: /health is Degraded and /metrics counts the quote (the health reading feeds the gauge).
        Assert.Equal("Degraded", await CrmWebhooksHealthAsync());
        var metrics = await _world.Ledger.Http.GetStringAsync("/metrics");
        Assert.Contains(metrics.Split('\n'), l => l.StartsWith("ledger_crm_webhooks_dead_letters", StringComparison.Ordinal) && l.Contains("crm=\"salesforce\"") && l.EndsWith(" 1"));

        broken = false;
        (await Post(_world.Admin, "/crm/salesforce/webhook/dead-letters/Q-WH-DEAD/replay")).EnsureAccepted();
        var accepted = await Eventually(() => Task.FromResult(_receiver.Accepted), a => a.Count(x => x.QuoteId == "Q-WH-DEAD") == 2);
        Assert.Equal(["quote-drafted.v1", "quote-line-added.v1"], accepted.Where(x => x.QuoteId == "Q-WH-DEAD").Select(x => x.Type));
        Assert.Empty(await DeadLettersAsync());
        Assert.Equal("Healthy", await CrmWebhooksHealthAsync());
    }

    [Fact]
    public async Task A_replay_from_a_position_sends_every_later_change_again_in_order_and_none_before_it()
    {
        await RegisterAsync();
        (await Post(_world.Salesforce, "/quotes", QuoteToCashJourneyTests.Draft("Q-WH-REPLAY", "EUR", "Europe/Berlin"))).EnsureAccepted();
        for (var i = 1; i <= 3; i++)
            (await Post(_world.Salesforce, "/quotes/Q-WH-REPLAY/lines", new { lineId = $"L{i}", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = i, discountPercent = 0 })).EnsureAccepted();
        var first = await Eventually(() => Task.FromResult(_receiver.Accepted), a => a.Count == 4);
        Assert.Equal(4, first.Count);

        var from = first[1].Position; // the first line's change: it and everything before it stay delivered
        (await Post(_world.Admin, "/crm/salesforce/webhook/replay", new { after = from })).EnsureAccepted();
        var all = await Eventually(() => Task.FromResult(_receiver.Accepted), a => a.Count == 6);

        Assert.Equal(first.Select(a => a.ChangeId).Concat(first.Skip(2).Select(a => a.ChangeId)), all.Select(a => a.ChangeId));
        Assert.Equal(2, _receiver.Duplicates);
        Assert.Equal(HttpStatusCode.BadRequest, (await Post(_world.Admin, "/crm/salesforce/webhook/replay", new { after = -1 })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Post(_world.Admin, "/crm/hubspot/webhook/replay", new { after = 0 })).StatusCode);
    }

    [Fact]
    public async Task The_receiver_refuses_a_captured_delivery_sent_again_and_one_with_an_old_timestamp()
    {
        await RegisterAsync();
        (await Post(_world.Salesforce, "/quotes", QuoteToCashJourneyTests.Draft("Q-WH-CAPTURE", "EUR", "Europe/Berlin"))).EnsureAccepted();
        var captured = Assert.Single(await Eventually(() => Task.FromResult(_receiver.Accepted), a => a.Count == 1));
        var body = System.Text.Encoding.UTF8.GetBytes(captured.Body);

        // The same request again (a valid, fresh signature over the same body): the delivery id gives it away.
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.Equal(409, await _receiver.PostAsync(captured.Body, Ledger.Application.Crm.CrmWebhookSignature.Sign(Secret, now, body), captured.DeliveryId.ToString()));
        // An old timestamp, correctly signed: refused as stale, whatever the delivery id.
        var old = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds();
        var otherId = Guid.NewGuid().ToString();
        var resent = captured.Body.Replace(captured.DeliveryId.ToString(), otherId);
        Assert.Equal(400, await _receiver.PostAsync(resent, Ledger.Application.Crm.CrmWebhookSignature.Sign(Secret, old, System.Text.Encoding.UTF8.GetBytes(resent)), otherId));
        // A body changed after signing: refused.
        Assert.Equal(401, await _receiver.PostAsync(captured.Body.Replace("Q-WH-CAPTURE", "Q-WH-FORGED"),
            Ledger.Application.Crm.CrmWebhookSignature.Sign(Secret, now, body), Guid.NewGuid().ToString()));
        Assert.Equal((1, 1, 1), (_receiver.Replays, _receiver.Stale, _receiver.BadSignatures));
        Assert.Single(_receiver.Accepted);
    }

    [Fact]
    public async Task The_webhook_is_shown_without_its_secret_and_bad_registrations_are_400_problems()
    {
        var registered = await RegisterAsync();
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var shown = await (await _world.Admin.GetAsync("/crm/salesforce/webhook")).EnsureAccepted().Content.ReadAsStringAsync();
        Assert.DoesNotContain(Secret, shown);
        var webhook = JsonDocument.Parse(shown).RootElement.GetProperty("webhook");
        Assert.True(webhook.GetProperty("secretSet").GetBoolean());
        Assert.Equal(_receiver.Url.ToString(), webhook.GetProperty("url").GetString());
        Assert.DoesNotContain(Secret, await registered.Content.ReadAsStringAsync());

        foreach (var (body, field) in new (object, string)[]
        {
            (new { url = "ftp://crm.example/hooks", secret = Secret }, "url"),
            (new { url = "not a url", secret = Secret }, "url"),
            (new { url = "https://user:pass@crm.example/hooks", secret = Secret }, "url"),
            (new { url = "https://crm.example/hooks", secret = "short" }, "secret"),
            (new { url = "https://crm.example/hooks", secret = "0123456789abcdef\u0000" }, "secret"),
            (new { url = "https://crm.example/hooks", secret = Secret, startAfter = -5 }, "startAfter"),
        })
        {
            var refused = await Post(_world.Admin, "/crm/salesforce/webhook", body);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var problem = await refused.Json();
            Assert.Equal(field, problem.GetProperty("field").GetString());
            Assert.DoesNotContain(Secret, problem.ToString());
        }
        Assert.Equal(HttpStatusCode.NotFound, (await _world.Admin.GetAsync("/crm/hubspot/webhook")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _world.Salesforce.GetAsync("/crm/salesforce/webhook")).StatusCode);
    }

    private Task<HttpResponseMessage> RegisterAsync() =>
        Post(_world.Admin, "/crm/salesforce/webhook", new { url = _receiver.Url.ToString(), secret = Secret }).ContinueWith(t => t.Result.EnsureAccepted());

    private async Task<string?> CrmWebhooksHealthAsync() =>
        (await (await _world.Ledger.Http.GetAsync("/health")).Json()).GetProperty("checks").GetProperty("crm-webhooks").GetProperty("status").GetString();

    private async Task<IReadOnlyList<JsonElement>> DeadLettersAsync() =>
        (await (await _world.Admin.GetAsync("/crm/salesforce/webhook/dead-letters")).EnsureAccepted().Json()).GetProperty("deadLetters").EnumerateArray().ToList();

    /// <summary>Every change in a CRM's pull feed, page by page.</summary>
    public static async Task<IReadOnlyList<JsonElement>> FeedAsync(HttpClient client, string crm, int limit = 500)
    {
        var changes = new List<JsonElement>();
        var after = 0L;
        while (true)
        {
            var page = await (await client.GetAsync($"/crm/{crm}/changes?after={after}&limit={limit}")).EnsureAccepted().Json();
            var items = page.GetProperty("changes").EnumerateArray().ToList();
            if (items.Count == 0) return changes;
            changes.AddRange(items);
            after = page.GetProperty("next").GetInt64();
        }
    }

    /// <summary>Draft, a 15% line (deal desk approval), price, submit, grant, send, accept, order: billing then closes the order.</summary>
    private async Task ToClosedOrderAsync(HttpClient crm, string quoteId)
    {
        (await Post(crm, "/quotes", QuoteToCashJourneyTests.Draft(quoteId, "EUR", "Europe/Berlin"))).EnsureAccepted();
        (await Post(crm, $"/quotes/{quoteId}/lines", new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 2, discountPercent = 15 })).EnsureAccepted();
        (await Post(crm, $"/quotes/{quoteId}/price")).EnsureAccepted();
        (await Post(crm, $"/quotes/{quoteId}/submit")).EnsureAccepted();
        await Eventually(() => _world.StreamAsync($"approval-{quoteId}-r1"), s => s.Count > 0);
        (await Post(_world.Approver, $"/approvals/{quoteId}/1/grant", new { level = "DealDesk", approver = "vic.desk" })).EnsureAccepted();
        await Eventually(() => _world.StreamAsync($"quote-{quoteId}"), s => s.Any(e => e.Type == "quote-approved.v1"));
        (await Post(crm, $"/quotes/{quoteId}/send", new { documentHash = $"sha256:{quoteId}" })).EnsureAccepted();
        (await Post(crm, $"/quotes/{quoteId}/accept", new { revision = 1, acceptanceType = "signature", signer = "Dana Whitfield" })).EnsureAccepted();
        (await Post(crm, $"/quotes/{quoteId}/order", new { billingAccount = "BA-ACME-EU" })).EnsureAccepted();
    }
}
