using System.Diagnostics;
using System.Text.Json;
using Ledger.IntegrationTests.Journeys;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.CommandLine;

/// <summary>
/// <c>ledger demo</c> as a process from its build output, against a running ledger and billing simulator: it fills every story
/// through the API, and a second run adds nothing (every command is answered from the first run's stored answers).
/// </summary>
public sealed class DemoTests : IAsyncLifetime
{
    private const string DynamicsKey = "dyn-test-key";
    private const string PartnerPortalKey = "pp-test-key";
    private readonly string _home = Path.Combine(Path.GetTempPath(), $"ledger-demo-{Guid.NewGuid():N}");
    private LedgerWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await StartAsync(nameof(DemoTests), settings: new Dictionary<string, string?>
        {
            ["Ledger:Clients:dynamics:Key"] = DynamicsKey, ["Ledger:Clients:dynamics:Role"] = "crm", ["Ledger:Clients:dynamics:Crm"] = "dynamics",
            ["Ledger:Clients:partner_portal:Key"] = PartnerPortalKey, ["Ledger:Clients:partner_portal:Role"] = "crm", ["Ledger:Clients:partner_portal:Crm"] = "partner-portal",
        });
        // The local keys `ledger up` would have made, for the world's clients.
        Directory.CreateDirectory(_home);
        await File.WriteAllTextAsync(Path.Combine(_home, "clients.json"), JsonSerializer.Serialize(new object[]
        {
            new { name = "salesforce", role = "crm", crm = "salesforce", key = SalesforceKey },
            new { name = "hubspot", role = "crm", crm = "hubspot", key = HubSpotKey },
            new { name = "dynamics", role = "crm", crm = "dynamics", key = DynamicsKey },
            new { name = "partner-portal", role = "crm", crm = "partner-portal", key = PartnerPortalKey },
            new { name = "approvals-tool", role = "approver", crm = (string?)null, key = ApproverKey },
            new { name = "finance", role = "finance", crm = (string?)null, key = FinanceKey },
            new { name = "stewards", role = "admin", crm = (string?)null, key = AdminKey },
        }, JsonSerializerOptions.Web));
    }

    public async Task DisposeAsync()
    {
        await _world.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }

    [Fact]
    public async Task The_demo_fills_every_story_through_the_api_and_a_second_run_adds_nothing()
    {
        var first = await DemoAsync();
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("20 quotes over 4 CRMs", first.Output);
        Assert.Contains(" 0 answered from an earlier run", first.Output);
        await _world.ReactionsSettledAsync();
        var events = await EventCountAsync();

        // Quotes in every state, in all four CRMs, and what finance reconciles: billing refused, billed short, a stale CRM, duplicates.
        foreach (var crm in new[] { "salesforce", "hubspot", "dynamics", "partner-portal" })
            Assert.True((await (await _world.Finance.GetAsync($"/crm/{crm}/quotes")).EnsureAccepted().Json()).GetProperty("total").GetInt32() == 5, crm);
        var statuses = new List<string>();
        foreach (var crm in new[] { "salesforce", "hubspot", "dynamics", "partner-portal" })
            statuses.AddRange((await (await _world.Finance.GetAsync($"/crm/{crm}/quotes")).EnsureAccepted().Json()).GetProperty("items").EnumerateArray()
                .Select(q => q.GetProperty("status").GetProperty("value").GetString()!));
        Assert.Superset(new HashSet<string> { "Draft", "InApproval", "Rejected", "Approved", "Sent", "Accepted", "Withdrawn", "Ordered" }, statuses.ToHashSet());
        var open = await Eventually(async () => (await (await _world.Finance.GetAsync("/reconciliation/discrepancies?pageSize=500")).EnsureAccepted().Json())
                .GetProperty("items").EnumerateArray().Select(r => r.GetProperty("rule").GetString()!).ToHashSet(),
            rules => rules.IsSupersetOf(["QTC-04", "QTC-05", "QTC-07"]), TimeSpan.FromSeconds(60));
        Assert.Superset(new HashSet<string> { "QTC-04", "QTC-05", "QTC-07" }, open);

        var second = await DemoAsync();
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("Commands: 0 new,", second.Output);
        await _world.ReactionsSettledAsync();
        Assert.Equal(events, await EventCountAsync());
    }

    private async Task<long> EventCountAsync()
    {
        // The demo's own commands (its CRM, approver, finance and admin clients): what a second run must not repeat. What
        // answers on its own clock may still land meanwhile: the ledger's timed follow-ups (a handoff sent again 30 s after a
        // reported failure) and billing's delayed callbacks (the simulator's "delay" scenario); CI runs saw one and two.
        // Read through the port: the system of record in either mode (in EventStoreDB mode PostgreSQL's copy may trail).
        return await _world.CountEventsAsync(e => e.Metadata.Actor is not ("ledger" or "billing"));
    }

    private async Task<(int ExitCode, string Output)> DemoAsync()
    {
        var start = new ProcessStartInfo("dotnet", [Checkout.ProgramPath("src/Ledger.Cli", "ledger.dll"), "demo", "--quotes", "20"]) { WorkingDirectory = _home };
        start.Environment["LEDGER_HOME"] = _home;
        start.Environment["LEDGER_URL"] = _world.Ledger.Address.ToString();
        start.Environment["LEDGER_BILLING_SIMULATOR_URL"] = _world.BillingSystem.BaseAddress!.ToString();
        start.Environment.Remove("LEDGER_API_KEY");
        // A wide terminal, so that no line of the summary is wrapped.
        start.Environment["COLUMNS"] = "200";
        var run = await ChildProcess.RunToEndAsync(start, TimeSpan.FromMinutes(10));
        return (run.ExitCode, run.Output);
    }
}
