using System.Text.Json;
using Ledger.IntegrationTests.Journeys;
using Ledger.IntegrationTests.Projections;
using Microsoft.Playwright;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;
using static Microsoft.Playwright.Assertions;

namespace Ledger.IntegrationTests.Console;

/// <summary>
/// The console in Debian's chromium over the reconciliation history (every rule has open discrepancies): finance clears the list to
/// zero, reads revenue; every role signs in to its own pages; a CRM key cannot open finance's pages.
/// </summary>
public sealed class ConsoleFinanceTests(ReconciliationWorld fixture, ConsoleBrowser browser) : IClassFixture<ReconciliationWorld>, IClassFixture<ConsoleBrowser>
{
    private LedgerWorld World => fixture.World;

    [Fact]
    public async Task Finance_clears_one_discrepancy_of_each_rule_and_then_the_whole_worklist_to_zero()
    {
        var page = await browser.NewPageAsync(World.Ledger.Address);
        await page.SignInAsync(FinanceKey);
        await page.GotoAsync("/console/reconciliation");

        // The page shows what the API lists: the same total, and the same count per rule.
        var open = await OpenAsync();
        Assert.Equal(open.Count.ToString(), await page.GetByTestId("open-total").InnerTextAsync());
        foreach (var rule in open.GroupBy(r => r.GetProperty("rule").GetString()!))
            await Expect(page.Locator($"li[data-rule='{rule.Key}'] strong")).ToHaveTextAsync(rule.Count().ToString());
        // The history opens one of every rule, so every rule is cleared here at least once.
        Assert.Equal(Ledger.Domain.Reconciliation.DiscrepancyRules.All.Count, open.Select(r => r.GetProperty("rule").GetString()).Distinct().Count());
        await page.ScreenshotAsync("reconciliation-worklist");

        // Paged: two rows a page, the total the API's, and the next page holds the next rows of the API's order.
        await page.GotoAsync("/console/reconciliation?size=2");
        await Expect(page.Locator("tr[data-id]")).ToHaveCountAsync(2);
        await Expect(page.GetByTestId("total")).ToHaveTextAsync(open.Count.ToString());
        await page.GetByRole(AriaRole.Link, new() { Name = "Next" }).ClickAsync();
        await Expect(page.GetByTestId("page")).ToHaveTextAsync("2");
        Assert.Equal(open.Skip(2).Take(2).Select(Id), await page.Locator("tr[data-id]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.id)"));

        // Filtered to one rule, only that rule's rows.
        await page.Locator("select[name=rule]").SelectOptionAsync("QTC-05");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(page.Locator("tr[data-id]")).ToHaveCountAsync(open.Count(r => r.GetProperty("rule").GetString() == "QTC-05"));
        foreach (var filtered in await page.Locator("tr[data-id]").AllAsync())
            Assert.StartsWith("QTC-05:", await filtered.GetAttributeAsync("data-id"));

        // Acknowledge with a note, assign, and a resolution without a reason refused with the field named, the row kept.
        var first = Id(open[0]);
        await page.GotoAsync("/console/reconciliation");
        var row = page.Locator($"tr[data-id='{first}']");
        await row.GetByLabel($"Note for {first}").FillAsync("Asking sales ops");
        await row.GetByRole(AriaRole.Button, new() { Name = "Acknowledge" }).ClickAsync();
        await Expect(page.GetByTestId("outcome")).ToContainTextAsync("discrepancy-acknowledged.v1");
        await Expect(row).ToContainTextAsync("Acknowledged");
        await row.GetByLabel($"New owner for {first}").FillAsync("revenue-ops");
        await row.GetByRole(AriaRole.Button, new() { Name = "Assign" }).ClickAsync();
        await Expect(page.GetByTestId("outcome")).ToContainTextAsync("discrepancy-assigned.v1");
        await Expect(row.Locator("td").Nth(2)).ToHaveTextAsync("revenue-ops");
        await row.GetByRole(AriaRole.Button, new() { Name = "Resolve" }).ClickAsync();
        await Expect(page.GetByTestId("outcome")).ToContainTextAsync("refused");
        await Expect(page.Locator(".outcome.failed")).ToBeVisibleAsync();
        await Expect(row).ToHaveCountAsync(1);

        // Then every open row, one of each rule first, resolved with a note until the list is at zero.
        var ordered = open.GroupBy(r => r.GetProperty("rule").GetString()).Select(g => g.First())
            .Concat(open).Select(Id).Distinct().ToList();
        foreach (var id in ordered)
        {
            var target = page.Locator($"tr[data-id='{id}']");
            await target.GetByLabel($"Note for {id}").FillAsync($"Checked {id} with the account team");
            await target.GetByRole(AriaRole.Button, new() { Name = "Resolve" }).ClickAsync();
            await Expect(page.GetByTestId("outcome")).ToContainTextAsync($"Resolve {id}: Recorded: discrepancy-resolved.v1");
            await GoneAsync(page, target);
        }
        await Expect(page.GetByTestId("open-total")).ToHaveTextAsync("0");
        await Expect(page.GetByTestId("empty")).ToContainTextAsync("at zero");
        Assert.Empty(await OpenAsync());
        foreach (var id in ordered)
            Assert.Equal("discrepancy-resolved.v1", (await World.StreamAsync($"discrepancy-{id}"))[^1].Type);
        await page.ScreenshotAsync("reconciliation-cleared");

        // The resolved history holds them with the note, and downloads as the API's CSV.
        await page.GotoAsync("/console/reconciliation?view=resolved");
        await Expect(page.Locator($"tr[data-id='{first}']")).ToContainTextAsync($"Checked {first} with the account team");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download CSV" }).ClickAsync());
        var csv = await File.ReadAllTextAsync(await download.PathAsync());
        Assert.StartsWith("id,rule,rule_name,", csv);
        Assert.All(ordered, id => Assert.Contains(id, csv));
    }

    /// <summary>
    /// Month-end from the console: the worklist as of 60 hours into the history is the API's list as of then (whatever the
    /// other tests clear today, recorded ten days later), read-only; an instant that does not parse is said, not obeyed.
    /// </summary>
    [Fact]
    public async Task Finance_reads_the_worklist_as_it_stood_at_a_past_instant()
    {
        var asOf = NodaTime.Text.InstantPattern.ExtendedIso.Format(Q2C.T0 + NodaTime.Duration.FromHours(60));
        var then = (await (await World.Finance.GetAsync($"/reconciliation/discrepancies?pageSize=500&asOf={asOf}")).EnsureAccepted().Json())
            .GetProperty("items").EnumerateArray().Select(Id).ToList();
        Assert.Contains("QTC-01:1:Q-ORD-LATE", then); // ordered at 72 h: still open at 60 h

        var page = await browser.NewPageAsync(World.Ledger.Address);
        await page.SignInAsync(FinanceKey);
        await page.GotoAsync($"/console/reconciliation?asOf={asOf}");
        await Expect(page.GetByTestId("as-of")).ToContainTextAsync(asOf);
        await Expect(page.Locator("tr[data-id]")).ToHaveCountAsync(then.Count);
        foreach (var id in then) await Expect(page.Locator($"tr[data-id='{id}']")).ToHaveCountAsync(1);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Resolve" })).ToHaveCountAsync(0);
        await page.ScreenshotAsync("reconciliation-as-of");

        await page.GotoAsync("/console/reconciliation?asOf=end-of-march");
        await Expect(page.GetByTestId("as-of-problem")).ToContainTextAsync("ISO instant");
    }

    [Fact]
    public async Task Finance_reads_revenue_per_crm_and_month_as_a_chart_and_the_figures_the_api_gives()
    {
        var page = await browser.NewPageAsync(World.Ledger.Address);
        await page.SignInAsync(FinanceKey);
        await page.GotoAsync("/console/revenue");
        var lines = (await (await World.Finance.GetAsync("/revenue/summary")).EnsureAccepted().Json()).EnumerateArray().ToList();
        Assert.NotEmpty(lines);
        foreach (var currency in lines.Select(l => l.GetProperty("currency").GetString()).Distinct())
            await Expect(page.GetByTestId($"chart-{currency}").Locator("rect")).Not.ToHaveCountAsync(0);
        var rows = page.GetByTestId("revenue").Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(lines.Count);
        var hubspot = lines.Single(l => l.GetProperty("crm").GetString() == "hubspot" && l.GetProperty("currency").GetString() == "EUR");
        await Expect(rows.Filter(new() { HasText = "hubspot" }).Filter(new() { HasText = "EUR" }))
            .ToContainTextAsync(hubspot.GetProperty("accepted").GetDecimal().ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        await page.ScreenshotAsync("revenue");
    }

    [Fact]
    public async Task Finance_reads_each_contract_its_changes_and_the_discrepancies_the_list_shows_open_for_it()
    {
        var page = await browser.NewPageAsync(World.Ledger.Address);
        await page.SignInAsync(FinanceKey);
        await page.GotoAsync("/console/contracts");

        // One row per contract of the history (A to H), each with the changes the ledger made.
        var rows = page.GetByTestId("contracts").Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(8);
        var g = page.Locator("tr[data-contract='ctr-Q-CTR-G']");
        await Expect(g.Locator("[data-field=status]")).ToHaveTextAsync("Active");
        await Expect(g.Locator("[data-field=version]")).ToHaveTextAsync("2");
        await Expect(g.Locator("[data-field=changes]")).ToHaveTextAsync("v2 amendment");
        await Expect(page.Locator("tr[data-contract='ctr-Q-CTR-H'] [data-field=changes]")).ToHaveTextAsync("v2 amendment");
        // The quote that started each contract, and its renewal quotes (H's is drafted, not yet ordered).
        await Expect(g.Locator("[data-field=quotes]")).ToHaveTextAsync("Q-CTR-G");
        await Expect(page.Locator("tr[data-contract='ctr-Q-CTR-H'] [data-field=quotes]")).ToHaveTextAsync("Q-CTR-H, Q-CTR-H-RN2 (renewal drafted)");

        // The open discrepancies of each contract are the API's, rule by rule (whatever another test cleared meanwhile).
        var open = (await (await World.Finance.GetAsync("/reconciliation/discrepancies?status=open&pageSize=500")).EnsureAccepted().Json())
            .GetProperty("items").EnumerateArray().ToList();
        await page.ReloadAsync();
        foreach (var id in new[] { "A", "B", "C", "D", "E", "F", "G", "H" }.Select(x => $"ctr-Q-CTR-{x}"))
        {
            var rules = open.Where(r => r.GetProperty("subject").GetString() == id).Select(r => r.GetProperty("rule").GetString()!).Order(StringComparer.Ordinal);
            await Expect(page.Locator($"tr[data-contract='{id}'] [data-field=open]")).ToHaveTextAsync(string.Join(" ", rules));
        }
        await page.ScreenshotAsync("contracts");

        // Filtered to HubSpot, whose CRM holds none of them: no row.
        await page.GotoAsync("/console/contracts?crm=hubspot");
        await Expect(page.GetByTestId("contracts")).ToHaveCountAsync(0);
    }

    public static TheoryData<string, string, string[]> Roles => new()
    {
        { FinanceKey, "finance", ["Reconciliation", "Revenue", "Contracts"] },
        { ApproverKey, "approver", ["Approval inbox"] },
        { AuditorKey, "auditor", ["Quote timeline"] },
        { AdminKey, "admin", ["Revenue", "Contracts", "Projections"] },
        { SalesforceKey, "crm, salesforce", [] },
    };

    [Theory, MemberData(nameof(Roles))]
    public async Task Each_role_signs_in_with_its_key_and_sees_only_its_pages(string key, string role, string[] pages)
    {
        var page = await browser.NewPageAsync(World.Ledger.Address);
        await page.SignInAsync(key);
        await Expect(page.GetByTestId("signed-in-as")).ToContainTextAsync($"({role})");
        var nav = page.GetByRole(AriaRole.Navigation, new() { Name = "Console pages" }).GetByRole(AriaRole.Link);
        Assert.Equal(["Home", .. pages], await nav.AllInnerTextsAsync());
        await page.ScreenshotAsync($"signed-in-{role.Split(',')[0]}");

        // Signed out, the pages ask for a key again.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByLabel("API key")).ToBeVisibleAsync();
        await page.GotoAsync("/console");
        await Expect(page.GetByLabel("API key")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task An_unknown_key_is_refused_and_no_page_opens_without_signing_in()
    {
        var page = await browser.NewPageAsync(World.Ledger.Address);
        var response = await page.GotoAsync("/console/reconciliation");
        Assert.EndsWith("/console/sign-in?ReturnUrl=%2Fconsole%2Freconciliation", response!.Url);
        await page.GetByLabel("API key").FillAsync("not-a-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByTestId("sign-in-refused")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("signed-in-as")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_crm_key_cannot_open_finance_pages()
    {
        var page = await browser.NewPageAsync(World.Ledger.Address);
        await page.SignInAsync(SalesforceKey);
        foreach (var path in new[] { "/console/reconciliation", "/console/reconciliation?handler=Csv", "/console/revenue", "/console/contracts", "/console/projections" })
        {
            var response = await page.GotoAsync(path);
            Assert.Equal(403, response!.Status);
            await Expect(page.GetByTestId("denied")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("discrepancies")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("open-total")).ToHaveCountAsync(0);
        }
        await page.ScreenshotAsync("crm-denied");
    }

    /// <summary>The page was rendered after the projections applied the command; should they lag past that wait, look again.</summary>
    private static async Task GoneAsync(IPage page, ILocator row)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (await row.CountAsync() > 0 && DateTime.UtcNow < until)
        {
            await Task.Delay(500);
            await page.ReloadAsync();
        }
        await Expect(row).ToHaveCountAsync(0);
    }

    private async Task<List<JsonElement>> OpenAsync() =>
        (await (await World.Finance.GetAsync("/reconciliation/discrepancies?pageSize=500")).EnsureAccepted().Json()).GetProperty("items").EnumerateArray().ToList();

    private static string Id(JsonElement row) => row.GetProperty("id").GetString()!;
}
