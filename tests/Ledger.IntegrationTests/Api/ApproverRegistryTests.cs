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
/// The approvers registry over HTTP (issue 18, ADR/0023): configuration seeds the <c>approvers</c> stream once, and from
/// then on an admin authorises, revokes and delegates there, each change counting for the next decision.
/// </summary>
public sealed class ApproverRegistryTests : IAsyncLifetime
{
    private const string CfoKey = "reg-cfo-key", VpKey = "reg-vp-key", NewcomerKey = "reg-newcomer-key";

    private readonly FakeClock _clock = new(Instant.FromUtc(2026, 6, 11, 9, 0));
    private LedgerWorld _world = null!;
    private HttpClient _cfo = null!, _vp = null!, _newcomer = null!;
    private int _quotes;

    public async Task InitializeAsync()
    {
        _world = await StartAsync(nameof(ApproverRegistryTests), services: s => s.AddSingleton<IClock>(_clock), settings: new Dictionary<string, string?>
        {
            ["Ledger:Clients:rita.cfo:Key"] = CfoKey, ["Ledger:Clients:rita.cfo:Role"] = "approver",
            ["Ledger:Approvers:rita.cfo:Levels"] = "DealDesk,VicePresident,Cfo",
            ["Ledger:Approvers:rita.cfo:Delegations:0:To"] = "viktor.vp",
            ["Ledger:Approvers:rita.cfo:Delegations:0:Levels"] = "Cfo",
            ["Ledger:Approvers:rita.cfo:Delegations:0:FirstDay"] = "2026-06-10",
            ["Ledger:Approvers:rita.cfo:Delegations:0:LastDay"] = "2026-06-12",
            ["Ledger:Clients:viktor.vp:Key"] = VpKey, ["Ledger:Clients:viktor.vp:Role"] = "approver",
            ["Ledger:Approvers:viktor.vp:Levels"] = "DealDesk,VicePresident",
            // An approver client the configuration gives no level: only the registry can.
            ["Ledger:Clients:nina.newcomer:Key"] = NewcomerKey, ["Ledger:Clients:nina.newcomer:Role"] = "approver",
        });
        _cfo = _world.Ledger.ClientWithKey(CfoKey);
        _vp = _world.Ledger.ClientWithKey(VpKey);
        _newcomer = _world.Ledger.ClientWithKey(NewcomerKey);
        await _world.PublishCatalogAndPolicyAsync();
    }

    public async Task DisposeAsync()
    {
        _cfo.Dispose();
        _vp.Dispose();
        _newcomer.Dispose();
        await _world.DisposeAsync();
    }

    [Fact]
    public async Task Configuration_seeds_the_registry_once_and_admins_change_it_from_then_on()
    {
        // Before anything is written, the registry shows what configuration will seed it with.
        var before = await RegistryAsync();
        Assert.False(before.GetProperty("seeded").GetBoolean());
        var configured = before.GetProperty("approvers").EnumerateArray().ToDictionary(a => a.GetProperty("principal").GetString()!, a => a.GetProperty("levels").GetArrayLength());
        Assert.Equal(3, configured["rita.cfo"]);
        Assert.Equal(2, configured["viktor.vp"]);
        Assert.DoesNotContain("nina.newcomer", configured.Keys);
        Assert.Equal("config-rita.cfo-0", Assert.Single(before.GetProperty("delegations").EnumerateArray()).GetProperty("delegationId").GetString());

        // The configuration's delegation counts, and the first decision seeds the stream.
        var first = await PendingAtAsync("Cfo");
        (await Post(_vp, $"/approvals/{first}/1/grant", new { level = "Cfo" })).EnsureAccepted();
        var seeded = Assert.Single(await _world.StreamAsync("approvers"));
        Assert.Equal("approvers-seeded.v1", seeded.Type);
        Assert.True((await RegistryAsync()).GetProperty("seeded").GetBoolean());

        // A principal configuration gives nothing decides nothing, until an admin authorises it.
        var second = await PendingAtAsync("Cfo");
        await ApproverAuthorityTests.AssertRefusedAsync(await Post(_newcomer, $"/approvals/{second}/1/grant", new { level = "Cfo" }), "approval.authority-missing");
        (await Post(_world.Admin, "/approvers/nina.newcomer", new { levels = new[] { "Cfo" } })).EnsureAccepted();
        (await Post(_newcomer, $"/approvals/{second}/1/grant", new { level = "Cfo" })).EnsureAccepted();
        Assert.Equal("Own", await AuthorityKindAsync(second, "Cfo"));

        // Revoking the VP ends the CFO's delegation to him as well.
        (await Post(_world.Admin, "/approvers/viktor.vp/revoke", new { reason = "Moved to another team" })).EnsureAccepted();
        var third = await PendingAtAsync("VicePresident");
        await ApproverAuthorityTests.AssertRefusedAsync(await Post(_vp, $"/approvals/{third}/1/grant", new { level = "VicePresident" }), "approval.authority-missing");
        Assert.Empty((await RegistryAsync()).GetProperty("delegations").EnumerateArray());

        // A delegation an admin grants counts for its days, and the grant names it; revoked, it counts no more.
        (await Post(_world.Admin, "/approvers/rita.cfo/delegations",
            new { delegationId = "cfo-to-nina-june", to = "nina.newcomer", levels = new[] { "VicePresident" }, firstDay = "2026-06-11", lastDay = "2026-06-11" })).EnsureAccepted();
        (await Post(_newcomer, $"/approvals/{third}/1/grant", new { level = "VicePresident" })).EnsureAccepted();
        var granted = (await _world.StreamAsync($"approval-{third}-r1")).Single(e => e.Type == "approval-level-granted.v2" && e.Data.GetProperty("level").GetString() == "VicePresident");
        Assert.Equal("Delegated", granted.Data.GetProperty("authority").GetProperty("kind").GetString());
        Assert.Equal("rita.cfo", granted.Data.GetProperty("authority").GetProperty("delegation").GetProperty("from").GetString());
        (await Post(_world.Admin, "/approvers/delegations/cfo-to-nina-june/revoke", new { reason = "Viktor's successor starts today" })).EnsureAccepted();
        var fourth = await PendingAtAsync("VicePresident");
        await ApproverAuthorityTests.AssertRefusedAsync(await Post(_newcomer, $"/approvals/{fourth}/1/grant", new { level = "VicePresident" }), "approval.authority-missing");

        // Seeded once, whatever happened since: every later event is a change an admin made, under the admin's name.
        var stream = await _world.StreamAsync("approvers");
        Assert.Single(stream, e => e.Type == "approvers-seeded.v1");
        Assert.Equal(["approvers-seeded.v1", "approver-authorised.v1", "approver-revoked.v1", "delegation-granted.v1", "delegation-revoked.v1"],
            stream.Select(e => e.Type));
    }

    [Fact]
    public async Task Only_admins_change_the_registry_and_bad_changes_are_problems_that_append_nothing()
    {
        using var asApprover = await Post(_cfo, "/approvers/nina.newcomer", new { levels = new[] { "Cfo" } });
        Assert.Equal(HttpStatusCode.Forbidden, asApprover.StatusCode);

        await AssertProblemAsync(await Post(_world.Admin, "/approvers/nina.newcomer", new { levels = Array.Empty<string>() }), "approvers.levels-required", "levels");
        await AssertProblemAsync(await Post(_world.Admin, "/approvers/viktor.vp/delegations",
            new { delegationId = "vp-passes-cfo-on", to = "nina.newcomer", levels = new[] { "Cfo" }, firstDay = "2026-06-11", lastDay = "2026-06-12" }), "approvers.level-not-held", "levels");
        await AssertProblemAsync(await Post(_world.Admin, "/approvers/rita.cfo/delegations",
            new { delegationId = "backwards", to = "viktor.vp", levels = new[] { "Cfo" }, firstDay = "2026-06-12", lastDay = "2026-06-11" }), "approvers.delegation-days-reversed", "lastDay");
        await AssertProblemAsync(await Post(_world.Admin, "/approvers/delegations/nothing-like-it/revoke", new { reason = "tidy" }), "approvers.delegation-unknown", "delegationId");
        // A refused decision does not seed the registry either: nothing is appended on a refusal.
        var quoteId = await PendingAtAsync("DealDesk");
        await ApproverAuthorityTests.AssertRefusedAsync(await Post(_newcomer, $"/approvals/{quoteId}/1/grant", new { level = "DealDesk" }), "approval.authority-missing");
        Assert.Empty(await _world.StreamAsync("approvers"));
    }

    private Task<string> PendingAtAsync(string level) =>
        ApproverAuthorityTests.PendingAtAsync(_world, $"Q-REG-{Interlocked.Increment(ref _quotes)}", level, _cfo);

    private async Task<JsonElement> RegistryAsync()
    {
        using var response = await _world.Admin.GetAsync("/approvers");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private async Task<string?> AuthorityKindAsync(string quoteId, string level) =>
        (await _world.StreamAsync($"approval-{quoteId}-r1")).Single(e => e.Type == "approval-level-granted.v2" && e.Data.GetProperty("level").GetString() == level)
        .Data.GetProperty("authority").GetProperty("kind").GetString();

    private static async Task AssertProblemAsync(HttpResponseMessage response, string code, string field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal(field, problem.GetProperty("field").GetString());
    }
}
