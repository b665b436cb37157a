using System.Net;
using System.Text.Json;
using Ledger.IntegrationTests.Journeys;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Api;

/// <summary>
/// The approver authority matrix over HTTP (issue 18, ADR/0023): each approval level × each principal × a delegation
/// before, during and after its days. A decision is recorded under the principal that authenticated, never a body field,
/// and the quote's owner decides nothing about their own quote, whatever authority they hold.
/// </summary>
public sealed class ApproverAuthorityTests : IAsyncLifetime
{
    private const string DeskKey = "desk-lead-key", VpKey = "val-vp-key", CfoKey = "carla-cfo-key";

    // Before the CFO's delegation to the VP (10 to 12 June 2026, UTC days).
    private readonly FakeClock _clock = new(Instant.FromUtc(2026, 6, 9, 12, 0));
    private LedgerWorld _world = null!;
    private int _quotes;

    public async Task InitializeAsync()
    {
        _world = await StartAsync(nameof(ApproverAuthorityTests), services: s => s.AddSingleton<IClock>(_clock), settings: new Dictionary<string, string?>
        {
            ["Ledger:Clients:desk.lead:Key"] = DeskKey, ["Ledger:Clients:desk.lead:Role"] = "approver",
            ["Ledger:Approvers:desk.lead:Levels"] = "DealDesk",
            ["Ledger:Clients:val.vp:Key"] = VpKey, ["Ledger:Clients:val.vp:Role"] = "approver",
            ["Ledger:Approvers:val.vp:Levels"] = "DealDesk,VicePresident",
            ["Ledger:Clients:carla.cfo:Key"] = CfoKey, ["Ledger:Clients:carla.cfo:Role"] = "approver",
            ["Ledger:Approvers:carla.cfo:Levels"] = "DealDesk,VicePresident,Cfo",
            ["Ledger:Approvers:carla.cfo:Delegations:0:To"] = "val.vp",
            ["Ledger:Approvers:carla.cfo:Delegations:0:Levels"] = "Cfo",
            ["Ledger:Approvers:carla.cfo:Delegations:0:FirstDay"] = "2026-06-10",
            ["Ledger:Approvers:carla.cfo:Delegations:0:LastDay"] = "2026-06-12",
        });
        await _world.PublishCatalogAndPolicyAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients.Values) client.Dispose();
        await _world.DisposeAsync();
    }

    /// <summary>Level × principal, outside any delegation: null is allowed, otherwise the refusal's code.</summary>
    public static TheoryData<string, string, string?> OwnAuthority => new()
    {
        { "DealDesk", "desk.lead", null }, { "VicePresident", "desk.lead", "approval.authority-missing" }, { "Cfo", "desk.lead", "approval.authority-missing" },
        { "DealDesk", "val.vp", null }, { "VicePresident", "val.vp", null }, { "Cfo", "val.vp", "approval.authority-missing" },
        { "DealDesk", "carla.cfo", null }, { "VicePresident", "carla.cfo", null }, { "Cfo", "carla.cfo", null },
        // The owner of the drafts holds every level (LedgerWorld) and still decides none of their own quote.
        { "DealDesk", "dana.whitfield", "approval.self-approval" }, { "VicePresident", "dana.whitfield", "approval.self-approval" },
        { "Cfo", "dana.whitfield", "approval.self-approval" },
    };

    [Fact]
    public async Task Each_level_is_decided_only_by_principals_holding_it_and_never_by_the_owner()
    {
        var failures = new List<string>();
        foreach (var row in OwnAuthority)
        {
            var (level, principal, refusal) = ((string)row[0], (string)row[1], (string?)row[2]);
            if (await AttemptAsync(level, principal, refusal) is { } failure) failures.Add(failure);
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task A_delegation_lends_the_cfo_level_to_the_vp_for_its_days_only()
    {
        // Each attempt is on a fresh quote, so one decision does not decide the next.
        _clock.Reset(Instant.FromUtc(2026, 6, 9, 23, 59));
        Assert.Null(await AttemptAsync("Cfo", "val.vp", "approval.authority-missing"));
        _clock.Reset(Instant.FromUtc(2026, 6, 10, 0, 0));
        Assert.Null(await AttemptAsync("Cfo", "val.vp", null));
        _clock.Reset(Instant.FromUtc(2026, 6, 12, 23, 59));
        Assert.Null(await AttemptAsync("Cfo", "val.vp", null));
        _clock.Reset(Instant.FromUtc(2026, 6, 13, 0, 0));
        Assert.Null(await AttemptAsync("Cfo", "val.vp", "approval.authority-missing"));
        // The delegation is the VP's, not the deal desk's.
        _clock.Reset(Instant.FromUtc(2026, 6, 11, 9, 0));
        Assert.Null(await AttemptAsync("Cfo", "desk.lead", "approval.authority-missing"));
    }

    [Fact]
    public async Task A_grant_is_recorded_under_the_caller_whatever_name_the_body_gives()
    {
        var quoteId = await PendingAtAsync("DealDesk");
        (await Post(Client("desk.lead"), $"/approvals/{quoteId}/1/grant", new { level = "DealDesk", approver = "carla.cfo" })).EnsureAccepted();
        var granted = (await _world.StreamAsync($"approval-{quoteId}-r1")).Single(e => e.Type == "approval-level-granted.v2");
        Assert.Equal("desk.lead", granted.Data.GetProperty("approver").GetString());

        // A body naming the owner does not make the owner's decision either way: the caller's authority is what counts.
        (await Post(Client("val.vp"), $"/approvals/{quoteId}/1/grant", new { level = "VicePresident", approver = "dana.whitfield" })).EnsureAccepted();
        Assert.Contains(await _world.StreamAsync($"approval-{quoteId}-r1"),
            e => e.Type == "approval-level-granted.v2" && e.Data.GetProperty("approver").GetString() == "val.vp");
    }

    [Fact]
    public async Task Escalation_hands_the_decision_to_its_escalatee_but_never_to_the_owner()
    {
        var quoteId = await PendingAtAsync("Cfo");
        await AssertRefusedAsync(await Post(Client("carla.cfo"), $"/approvals/{quoteId}/1/escalate", new { level = "Cfo", escalatedTo = "dana.whitfield", reason = "knows the deal" }),
            "approval.self-approval");
        (await Post(Client("carla.cfo"), $"/approvals/{quoteId}/1/escalate", new { level = "Cfo", escalatedTo = "val.vp", reason = "travelling" })).EnsureAccepted();
        // Escalated to the VP: the CFO no longer decides it, and the VP still needs the level (outside the delegation: no).
        await AssertRefusedAsync(await Post(Client("carla.cfo"), $"/approvals/{quoteId}/1/grant", new { level = "Cfo" }), "approval.escalated-to-another");
        await AssertRefusedAsync(await Post(Client("val.vp"), $"/approvals/{quoteId}/1/grant", new { level = "Cfo" }), "approval.authority-missing");
        _clock.Reset(Instant.FromUtc(2026, 6, 11, 9, 0));
        (await Post(Client("val.vp"), $"/approvals/{quoteId}/1/grant", new { level = "Cfo" })).EnsureAccepted();
    }

    [Fact]
    public async Task A_grant_records_the_authority_it_was_made_on_and_the_auditor_timeline_shows_it()
    {
        _clock.Reset(Instant.FromUtc(2026, 6, 11, 9, 0));
        var quoteId = await PendingAtAsync("Cfo"); // the CFO granted the deal desk and VP levels on her own authority
        (await Post(Client("val.vp"), $"/approvals/{quoteId}/1/grant", new { level = "Cfo" })).EnsureAccepted();

        var grants = (await _world.StreamAsync($"approval-{quoteId}-r1")).Where(e => e.Type == "approval-level-granted.v2")
            .ToDictionary(e => e.Data.GetProperty("level").GetString()!, e => e.Data.GetProperty("authority"));
        Assert.Equal(["Cfo", "DealDesk", "VicePresident"], grants.Keys.Order());
        Assert.Equal("Own", grants["DealDesk"].GetProperty("kind").GetString());
        Assert.Equal("Own", grants["VicePresident"].GetProperty("kind").GetString());
        var delegated = grants["Cfo"];
        Assert.Equal("Delegated", delegated.GetProperty("kind").GetString());
        var delegation = delegated.GetProperty("delegation");
        Assert.Equal("carla.cfo", delegation.GetProperty("from").GetString());
        Assert.Equal(["Cfo"], delegation.GetProperty("levels").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal("2026-06-10", delegation.GetProperty("firstDay").GetString());
        Assert.Equal("2026-06-12", delegation.GetProperty("lastDay").GetString());

        using var timeline = await _world.Auditor.GetAsync($"/quotes/{quoteId}/timeline");
        Assert.Equal(HttpStatusCode.OK, timeline.StatusCode);
        var shown = JsonDocument.Parse(await timeline.Content.ReadAsStringAsync()).RootElement.GetProperty("entries").EnumerateArray()
            .Where(e => e.GetProperty("type").GetString() == "approval-level-granted.v2")
            .Select(e => (Actor: e.GetProperty("actor").GetString(), Authority: e.GetProperty("authority").GetString())).ToList();
        Assert.Equal(
            [("carla.cfo", "own authority"), ("carla.cfo", "own authority"), ("val.vp", "delegated by carla.cfo (Cfo, 2026-06-10 to 2026-06-12)")],
            shown);
    }

    /// <summary>Null when <paramref name="principal"/>'s grant of <paramref name="level"/> ended as expected; otherwise what happened.</summary>
    private async Task<string?> AttemptAsync(string level, string principal, string? refusal)
    {
        var quoteId = await PendingAtAsync(level);
        using var response = await Post(Client(principal), $"/approvals/{quoteId}/1/grant", new { level });
        var body = await response.Content.ReadAsStringAsync();
        var granted = (await _world.StreamAsync($"approval-{quoteId}-r1"))
            .Where(e => e.Type == "approval-level-granted.v2" && e.Data.GetProperty("level").GetString() == level).ToList();
        if (refusal is null)
            return response.StatusCode == HttpStatusCode.OK && granted is [var g] && g.Data.GetProperty("approver").GetString() == principal
                ? null : $"{level} by {principal}: expected granted, got {(int)response.StatusCode} {body}";
        var code = response.Content.Headers.ContentType?.MediaType == "application/problem+json" ? JsonDocument.Parse(body).RootElement.GetProperty("code").GetString() : null;
        return response.StatusCode == HttpStatusCode.UnprocessableEntity && code == refusal && granted.Count == 0
            ? null : $"{level} by {principal}: expected {refusal}, got {(int)response.StatusCode} {body} ({granted.Count} grants)";
    }

    private async Task<string> PendingAtAsync(string level) =>
        await PendingAtAsync(_world, $"Q-AUTH-{Interlocked.Increment(ref _quotes)}", level, Client("carla.cfo"));

    /// <summary>A fresh quote needing all three levels (35% off), with the levels before <paramref name="level"/> granted by <paramref name="earlier"/>.</summary>
    internal static async Task<string> PendingAtAsync(LedgerWorld world, string quoteId, string level, HttpClient earlier)
    {
        var sf = world.Salesforce;
        (await Post(sf, "/quotes", QuoteToCashJourneyTests.Draft(quoteId, "EUR", "Europe/Berlin"))).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/lines", new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 2, discountPercent = 35 })).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/price", new { })).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/submit")).EnsureAccepted();
        await Eventually(() => world.StreamAsync($"approval-{quoteId}-r1"), e => e.Count > 0);
        foreach (var before in new[] { "DealDesk", "VicePresident", "Cfo" }.TakeWhile(l => l != level))
            (await Post(earlier, $"/approvals/{quoteId}/1/grant", new { level = before })).EnsureAccepted();
        return quoteId;
    }

    private readonly Dictionary<string, HttpClient> _clients = [];

    private HttpClient Client(string principal) => _clients.TryGetValue(principal, out var client) ? client : _clients[principal] = _world.Ledger.ClientWithKey(principal switch
    {
        "desk.lead" => DeskKey, "val.vp" => VpKey, "carla.cfo" => CfoKey, "dana.whitfield" => OwnerApproverKey,
        _ => throw new ArgumentOutOfRangeException(nameof(principal)),
    });

    internal static async Task AssertRefusedAsync(HttpResponseMessage response, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{(int)response.StatusCode}: {body}");
        Assert.Equal(code, JsonDocument.Parse(body).RootElement.GetProperty("code").GetString());
    }
}
