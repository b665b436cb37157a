using System.Net;
using System.Net.Http.Json;
using System.Text;
using Ledger.Application.Commands;
using Ledger.Domain.Quotes;
using Ledger.IntegrationTests.Journeys;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;
using Ledger.Domain.Common;

namespace Ledger.IntegrationTests.Api;

/// <summary>Retries, races, bad input and correlation over real HTTP: nothing is duplicated, nothing rejected is appended.</summary>
public sealed class CommandSafetyTests : IAsyncLifetime
{
    private LedgerWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await StartAsync(nameof(CommandSafetyTests));
        await _world.PublishCatalogAndPolicyAsync();
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task A_retry_with_the_same_key_and_body_gets_the_original_answer_and_appends_nothing()
    {
        await DraftWithLine("Q-RETRY");
        var first = await Post(_world.Salesforce, "/quotes/Q-RETRY/price", new { }, idempotencyKey: "price-Q-RETRY");
        var second = await Post(_world.Salesforce, "/quotes/Q-RETRY/price", new { }, idempotencyKey: "price-Q-RETRY");
        var third = await Post(_world.Salesforce, "/quotes/Q-RETRY/price", new { }, idempotencyKey: "price-Q-RETRY");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal(await first.Content.ReadAsStringAsync(), await third.Content.ReadAsStringAsync());
        Assert.True(second.Headers.Contains("Idempotent-Replayed"));
        Assert.Single(await _world.StreamAsync("quote-Q-RETRY"), e => e.Type == "quote-priced.v1");
    }

    /// <summary>No lock is held for a key any more: concurrent attempts race inside their transactions and the answer's unique key settles it.</summary>
    [Fact]
    public async Task Concurrent_attempts_with_one_key_append_once_and_all_get_the_same_answer()
    {
        await DraftWithLine("Q-TWINS");
        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            Post(_world.Salesforce, "/quotes/Q-TWINS/lines/L1/change", new { quantity = 4, discountPercent = 5 }, "change-twins")));

        Assert.All(attempts, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        var bodies = await Task.WhenAll(attempts.Select(a => a.Content.ReadAsStringAsync()));
        Assert.Single(bodies.Distinct());
        Assert.Single(await _world.StreamAsync("quote-Q-TWINS"), e => e.Type == "quote-line-changed.v1");
    }

    /// <summary>A new stream has no row to lock: two units creating it race on its key, and the loser runs again and decides on what won.</summary>
    [Fact]
    public async Task Two_drafts_of_one_new_quote_id_race_and_exactly_one_wins()
    {
        var drafts = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Post(_world.Salesforce, "/quotes", Draft("Q-NEWRACE"), $"draft-race-{i}")));

        Assert.Single(drafts, d => d.StatusCode == HttpStatusCode.Created);
        Assert.All(drafts.Where(d => d.StatusCode != HttpStatusCode.Created), d => Assert.Equal(HttpStatusCode.Conflict, d.StatusCode));
        foreach (var lost in drafts.Where(d => d.StatusCode == HttpStatusCode.Conflict))
            Assert.Equal("quote.already-drafted", (await lost.Json()).GetProperty("code").GetString());
        Assert.Single(await _world.StreamAsync("quote-Q-NEWRACE"));
    }

    [Fact]
    public async Task A_query_value_that_does_not_parse_is_a_400_problem_not_a_default()
    {
        var response = await _world.Finance.GetAsync("/reconciliation/discrepancies?page=abc");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("page", body);
        Assert.DoesNotContain("System.", body);
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_422_and_appends_nothing()
    {
        await DraftWithLine("Q-KEY");
        (await Post(_world.Salesforce, "/quotes/Q-KEY/lines/L1/change", new { quantity = 2, discountPercent = 5 }, "change-1")).EnsureAccepted();
        var reused = await Post(_world.Salesforce, "/quotes/Q-KEY/lines/L1/change", new { quantity = 7, discountPercent = 5 }, "change-1");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.Equal("idempotency-key.reused", (await reused.Json()).GetProperty("code").GetString());
        Assert.Single(await _world.StreamAsync("quote-Q-KEY"), e => e.Type == "quote-line-changed.v1");
    }

    [Fact]
    public async Task A_post_without_an_idempotency_key_is_400_naming_the_header()
    {
        var response = await _world.Salesforce.PostAsJsonAsync("/quotes", Draft("Q-NOKEY"));
        var problem = await response.Json();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Idempotency-Key", problem.GetProperty("field").GetString());
        Assert.Empty(await _world.StreamAsync("quote-Q-NOKEY"));
    }

    /// <summary>
    /// The process appended and died before answering: its events are in the stream, its answer is not stored.
    /// The retry finds the events by the ids derived from its key and answers from them, deciding nothing again.
    /// </summary>
    [Fact]
    public async Task A_retry_after_a_crash_between_append_and_answer_does_not_duplicate()
    {
        await DraftWithLine("Q-CRASH");
        var commands = _world.Ledger.Services.GetRequiredService<CommandRunner>();
        var crashed = new CommandMetadata(CommandMetadata.CommandIdFor("salesforce", "remove-after-crash"), "corr-crash", "salesforce", "salesforce", "remove-after-crash");
        Assert.IsType<CommandResult.Appended>(await commands.RunAsync(crashed,
            unit => unit.Decide(Streams.Quote(new QuoteId("Q-CRASH")), _ => new RemoveQuoteLine(new QuoteId("Q-CRASH"), "L1"), CancellationToken.None), Ledger.EventStore.Writing.Durability.Acknowledged, CancellationToken.None));

        var retry = await Post(_world.Salesforce, "/quotes/Q-CRASH/lines/L1/remove", idempotencyKey: "remove-after-crash");

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.True((await retry.Json()).GetProperty("replayed").GetBoolean());
        Assert.Single(await _world.StreamAsync("quote-Q-CRASH"), e => e.Type == "quote-line-removed.v1");
    }

    [Fact]
    public async Task Racing_grants_of_one_level_by_two_approvers_count_once()
    {
        await SubmittedForApproval("Q-RACE");
        using var vicePresident = _world.Ledger.ClientWithKey(VicePresidentKey);
        var grants = await Task.WhenAll(
            Post(_world.Approver, "/approvals/Q-RACE/1/grant", new { level = "DealDesk" }),
            Post(vicePresident, "/approvals/Q-RACE/1/grant", new { level = "DealDesk" }));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], grants.Select(g => g.StatusCode).Order());
        Assert.Single(await _world.StreamAsync("approval-Q-RACE-r1"), e => e.Type == "approval-level-granted.v2");
    }

    [Fact]
    public async Task The_quote_owner_cannot_approve_their_own_quote()
    {
        await SubmittedForApproval("Q-SOD");
        // The owner signs in as an approver: the caller is who decides, and the owner never decides their own quote (ADR/0023).
        using var owner = _world.Ledger.ClientWithKey(OwnerApproverKey);
        var response = await Post(owner, "/approvals/Q-SOD/1/grant", new { level = "DealDesk" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("approval.self-approval", (await response.Json()).GetProperty("code").GetString());
        Assert.DoesNotContain(await _world.StreamAsync("approval-Q-SOD-r1"), e => e.Type == "approval-level-granted.v2");
    }

    public static TheoryData<string, object, int, string, string?> BadLines => new()
    {
        { "negative quantity", new { lineId = "L9", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = -1, discountPercent = 0 }, 400, "quote.quantity-not-positive", "quantity" },
        { "zero quantity", new { lineId = "L9", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 0, discountPercent = 0 }, 400, "quote.quantity-not-positive", "quantity" },
        { "discount above 100%", new { lineId = "L9", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 1, discountPercent = 150 }, 400, "quote.discount-out-of-range", "discountPercent" },
        { "negative discount", new { lineId = "L9", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 1, discountPercent = -5 }, 400, "quote.discount-out-of-range", "discountPercent" },
        { "unknown product", new { lineId = "L9", productOfferingId = "NOPE", catalogVersion = "2026.1", quantity = 1, discountPercent = 0 }, 404, "catalog.offering-unknown", "productOfferingId" },
        { "unknown catalog version", new { lineId = "L9", productOfferingId = "PLAT-ENT", catalogVersion = "1999.9", quantity = 1, discountPercent = 0 }, 404, "catalog.offering-unknown", "productOfferingId" },
        { "no price in the quote's currency", new { lineId = "L9", productOfferingId = "SUPPORT-24", catalogVersion = "2026.1", quantity = 1, discountPercent = 0 }, 422, "quote.currency-mismatch", "productOfferingId" },
        { "duplicate line id", new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 1, discountPercent = 0 }, 409, "quote.line-exists", "lineId" },
    };

    [Theory, MemberData(nameof(BadLines))]
    public async Task A_bad_line_is_refused_with_a_problem_naming_field_and_rule_and_appends_nothing(
        string why, object body, int status, string code, string? field)
    {
        var quoteId = $"Q-BAD-{Math.Abs(why.GetHashCode())}";
        await DraftWithLine(quoteId, currency: "USD");
        var before = (await _world.StreamAsync($"quote-{quoteId}")).Count;

        var response = await Post(_world.Salesforce, $"/quotes/{quoteId}/lines", body);
        var problem = await response.Json();

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Equal(before, (await _world.StreamAsync($"quote-{quoteId}")).Count);
    }

    public static TheoryData<string, string> MalformedBodies => new()
    {
        { "not JSON", "{ lineId: L9, " },
        { "quantity as text", """{"lineId":"L9","productOfferingId":"PLAT-ENT","catalogVersion":"2026.1","quantity":"ten","discountPercent":0}""" },
        { "an array", "[1,2,3]" },
    };

    [Theory, MemberData(nameof(MalformedBodies))]
    public async Task Malformed_json_is_400_problem_details_and_appends_nothing(string why, string json)
    {
        var quoteId = $"Q-JSON-{Math.Abs(why.GetHashCode())}";
        await DraftWithLine(quoteId);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/quotes/{quoteId}/lines") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());

        var response = await _world.Salesforce.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(2, (await _world.StreamAsync($"quote-{quoteId}")).Count);
    }

    [Fact]
    public async Task An_oversized_body_is_413_problem_details()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/quotes")
        {
            Content = new StringContent($$"""{"quoteId":"Q-BIG","owner":"{{new string('x', 2 * 1024 * 1024)}}"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var response = await _world.Salesforce.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("request.too-large", (await response.Json()).GetProperty("code").GetString());
        Assert.Empty(await _world.StreamAsync("quote-Q-BIG"));
    }

    [Fact]
    public async Task An_unknown_approval_level_is_400()
    {
        await SubmittedForApproval("Q-LEVEL");
        var response = await Post(_world.Approver, "/approvals/Q-LEVEL/1/grant", new { level = "Supreme", approver = "vic.desk" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(await _world.StreamAsync("approval-Q-LEVEL-r1"), e => e.Type == "approval-level-granted.v2");
    }

    [Fact]
    public async Task The_correlation_id_is_echoed_and_recorded_with_actor_source_and_causation()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/quotes") { Content = JsonContent.Create(Draft("Q-CORR")) };
        request.Headers.Add("Idempotency-Key", "draft-Q-CORR");
        request.Headers.Add("X-Correlation-Id", "sf-flow-8812");
        var response = (await _world.Salesforce.SendAsync(request)).EnsureAccepted();

        Assert.Equal("sf-flow-8812", response.Headers.GetValues("X-Correlation-Id").Single());
        var metadata = (await _world.StreamAsync("quote-Q-CORR")).Single().Event.Metadata;
        Assert.Equal("sf-flow-8812", metadata.CorrelationId);
        Assert.Equal(CommandMetadata.CommandIdFor("salesforce", "draft-Q-CORR"), metadata.CausationId);
        Assert.Equal("salesforce", metadata.Actor);
        Assert.Equal("salesforce", metadata.SourceSystem);
        Assert.Equal("draft-Q-CORR", metadata.IdempotencyKey);
    }

    [Fact]
    public async Task A_generated_correlation_id_is_returned_when_none_is_sent()
    {
        var response = (await Post(_world.Salesforce, "/quotes", Draft("Q-GENCORR"))).EnsureAccepted();
        var correlationId = response.Headers.GetValues("X-Correlation-Id").Single();
        Assert.False(string.IsNullOrWhiteSpace(correlationId));
        Assert.Equal(correlationId, (await _world.StreamAsync("quote-Q-GENCORR")).Single().Event.Metadata.CorrelationId);
    }

    private async Task DraftWithLine(string quoteId, string currency = "EUR")
    {
        (await Post(_world.Salesforce, "/quotes", Draft(quoteId, currency))).EnsureAccepted();
        (await Post(_world.Salesforce, $"/quotes/{quoteId}/lines",
            new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 4, discountPercent = 15 })).EnsureAccepted();
    }

    private async Task SubmittedForApproval(string quoteId)
    {
        await DraftWithLine(quoteId);
        (await Post(_world.Salesforce, $"/quotes/{quoteId}/price", new { })).EnsureAccepted();
        (await Post(_world.Salesforce, $"/quotes/{quoteId}/submit")).EnsureAccepted();
        await _world.ReactionsSettledAsync(); // the approval is requested by a reaction
    }

    private static object Draft(string quoteId, string currency = "EUR") => QuoteToCashJourneyTests.Draft(quoteId, currency, "Europe/Berlin");
}
