using Ledger.Testing;
using Ledger.IntegrationTests.Journeys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;
using static Microsoft.Playwright.Assertions;

namespace Ledger.IntegrationTests.Console;

/// <summary>The console in Debian's chromium on a running ledger with reactions: the deal desk's inbox and the auditor's timeline.</summary>
public sealed class ConsoleDealDeskAndAuditTests(ConsoleBrowser browser) : IClassFixture<ConsoleBrowser>, IAsyncLifetime
{
    private LedgerWorld _world = null!;

    public async Task InitializeAsync()
    {
        // The audit test edits a row of PostgreSQL's event table to show the broken badge: PostgreSQL mode in every run.
        _world = await StartAsync(nameof(ConsoleDealDeskAndAuditTests), settings: new Dictionary<string, string?> { [TestEventStore.LedgerVariable] = "postgres" });
        await _world.PublishCatalogAndPolicyAsync();
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task An_approver_grants_the_deal_desk_level_from_the_inbox_and_the_quote_is_approved()
    {
        await SubmittedAsync("Q-CON-DD", discountPercent: 15);
        // The quote's owner, signed in as an approver, may not approve it: the decider's refusal shows, nothing is granted.
        var owner = await browser.NewPageAsync(_world.Ledger.Address);
        await owner.SignInAsync(OwnerApproverKey);
        await owner.GotoAsync("/console/approvals");
        await owner.Locator("section[data-quote='Q-CON-DD']").GetByRole(AriaRole.Button, new() { Name = "Grant DealDesk" }).ClickAsync();
        await Expect(owner.Locator(".outcome.failed")).ToBeVisibleAsync();
        Assert.DoesNotContain(await _world.StreamAsync("approval-Q-CON-DD-r1"), e => e.Type == "approval-level-granted.v2");

        var page = await browser.NewPageAsync(_world.Ledger.Address);
        await page.SignInAsync(ApproverKey);
        await page.GotoAsync("/console/approvals");

        var card = page.Locator("section[data-quote='Q-CON-DD']");
        await Expect(card.GetByTestId("level")).ToHaveTextAsync("DealDesk");
        await Expect(card.Locator("tbody tr")).ToContainTextAsync("PLAT-ENT");
        await Expect(card.Locator("tbody tr")).ToContainTextAsync("15 %");
        await page.ScreenshotAsync("approval-inbox");

        await card.GetByLabel("Reason for Q-CON-DD").FillAsync("Multi-year commitment");
        await card.GetByRole(AriaRole.Button, new() { Name = "Grant DealDesk" }).ClickAsync();
        await Expect(page.GetByTestId("outcome")).ToContainTextAsync("approval-level-granted.v2");

        // Granted by the principal signed in (ADR/0023), who is also the actor; the quote approved by the ledger's reaction.
        var granted = (await _world.StreamAsync("approval-Q-CON-DD-r1")).Single(e => e.Type == "approval-level-granted.v2");
        Assert.Equal("approvals-tool", granted.Data.GetProperty("approver").GetString());
        Assert.Equal("approvals-tool", granted.Event.Metadata.Actor);
        await _world.ReactionsSettledAsync();
        Assert.Contains(await _world.StreamAsync("quote-Q-CON-DD"), e => e.Type == "quote-approved.v1");
        await page.ReloadAsync();
        await Expect(page.Locator("section[data-quote='Q-CON-DD']")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task An_auditor_moves_the_as_of_slider_to_see_the_state_then_and_sees_broken_after_a_tampered_event()
    {
        await SubmittedAsync("Q-CON-AUD", discountPercent: 15);
        (await Post(_world.Approver, "/approvals/Q-CON-AUD/1/grant", new { level = "DealDesk", approver = "vic.desk" })).EnsureAccepted();
        await _world.ReactionsSettledAsync();
        (await Post(_world.Salesforce, "/quotes/Q-CON-AUD/send", new { documentHash = "sha256:doc" })).EnsureAccepted();
        (await Post(_world.Salesforce, "/quotes/Q-CON-AUD/accept", new { revision = 1, acceptanceType = "signature", signer = "Dana Whitfield" })).EnsureAccepted();

        var page = await browser.NewPageAsync(_world.Ledger.Address);
        await page.SignInAsync(AuditorKey);
        await page.GotoAsync("/console/timeline");
        await page.GetByLabel("Quote id").FillAsync("Q-CON-AUD");
        await page.GetByRole(AriaRole.Button, new() { Name = "Open" }).ClickAsync();
        await Expect(page.GetByTestId("state-status")).ToHaveTextAsync("Accepted");
        await Expect(page.GetByTestId("verify")).ToHaveTextAsync("intact");
        var entries = page.GetByTestId("events").Locator("tbody tr");
        var all = await entries.CountAsync();
        Assert.True(all >= 9, $"{all} events on the timeline");
        await Expect(entries.Filter(new() { HasText = "quote-drafted.v1" })).ToContainTextAsync("salesforce");

        // The slider, by keyboard: to the first event (the catalog version the quote was priced under: the timeline holds
        // the quote's evidence, ADR/0025), two steps on to the draft (past the pricing policy), then on to the submission.
        await page.GetByLabel("As of event").FocusAsync();
        await page.Keyboard.PressAsync("Home");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Expect(entries).ToHaveCountAsync(1);
        await Expect(entries.First).ToContainTextAsync("catalog-version-published");
        for (var step = 0; step < 2; step++)
        {
            await page.GetByLabel("As of event").FocusAsync();
            await page.Keyboard.PressAsync("ArrowRight");
            await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        }
        await Expect(page.GetByTestId("state-status")).ToHaveTextAsync("Draft");
        await Expect(entries).ToHaveCountAsync(3);
        await Expect(entries.Last).ToContainTextAsync("quote-drafted.v1");
        for (var step = 0; step < 3; step++)
        {
            await page.GetByLabel("As of event").FocusAsync();
            await page.Keyboard.PressAsync("ArrowRight");
            await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        }
        await Expect(page.GetByTestId("state-status")).ToHaveTextAsync("InApproval");
        await page.ScreenshotAsync("timeline-as-of");

        // Every event one command caused, from its causation id.
        await page.GotoAsync("/console/timeline?quoteId=Q-CON-AUD");
        var grantRow = page.GetByTestId("events").Locator("tr", new() { HasText = "approval-level-granted.v2" });
        // The authority the level was granted on (ADR/0023): the world's approver holds every level.
        await Expect(grantRow.GetByTestId("authority")).ToHaveTextAsync("on own authority");
        var grant = grantRow.Locator("td").Nth(8).GetByRole(AriaRole.Link);
        await grant.ClickAsync();
        await Expect(page.GetByTestId("caused")).ToContainTextAsync("approval-level-granted.v2");

        // An amount edited in PostgreSQL: the badge says broken, at that event.
        await using (var command = _world.Ledger.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
                         "update ledger.mt_events set data = jsonb_set(data, '{snapshot,netTotal}', '1.00') where stream_id = 'quote-Q-CON-AUD' and type = 'quote-priced.v1'"))
            Assert.True(await command.ExecuteNonQueryAsync() > 0, "The tampering touched no row.");
        await page.GotoAsync("/console/timeline?quoteId=Q-CON-AUD");
        await Expect(page.GetByTestId("verify")).ToHaveTextAsync("broken");
        await Expect(page.GetByTestId("broken-at")).ToContainTextAsync("(EventAltered)");
        await Expect(page.Locator("tr.broken")).ToContainTextAsync("quote-priced.v1");
        await page.ScreenshotAsync("timeline-broken");
    }

    [Fact]
    public async Task An_admin_sees_every_projection_and_rebuilds_one_to_completion()
    {
        await SubmittedAsync("Q-CON-ADM", discountPercent: 5);
        var page = await browser.NewPageAsync(_world.Ledger.Address);
        await page.SignInAsync(AdminKey);
        await page.GotoAsync("/console/projections");
        var rows = page.GetByTestId("projections").Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(Ledger.Projections.LedgerProjections.Names.Count);
        var name = Ledger.Projections.LedgerProjections.Names[0];
        await page.GetByRole(AriaRole.Button, new() { Name = $"Rebuild {name}" }).ClickAsync();
        await Expect(page.GetByTestId("outcome")).ToContainTextAsync($"Rebuild of {name}: started");
        // The page refreshes itself while the rebuild runs.
        await Expect(page.Locator($"tr[data-projection='{name}']")).ToContainTextAsync("rebuild completed", new() { Timeout = 120_000 });
        await page.ScreenshotAsync("projections");
    }

    /// <summary>A salesforce quote of five PLAT-ENT at the discount given, priced and submitted; its approval requested by the ledger.</summary>
    private async Task SubmittedAsync(string quoteId, decimal discountPercent)
    {
        var sf = _world.Salesforce;
        (await Post(sf, "/quotes", QuoteToCashJourneyTests.Draft(quoteId, "EUR", "Europe/Berlin"))).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/lines", new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 5, discountPercent })).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/price", new { })).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/submit")).EnsureAccepted();
        await _world.ReactionsSettledAsync();
        if (discountPercent > 10)
            await Eventually(async () => (await (await _world.Approver.GetAsync("/approvals/queue")).EnsureAccepted().Json()).ToString(), q => q.Contains(quoteId));
    }
}
