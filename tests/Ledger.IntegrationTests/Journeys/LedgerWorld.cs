using System.Net.Http.Json;
using System.Text.Json;
using Ledger.Application.Commands;
using Ledger.BillingSimulator;
using Ledger.EventStore;
using Ledger.Testing;
using Marten;
using Marten.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.IntegrationTests.Journeys;

/// <summary>
/// A ledger with its clients (two CRMs, an approver, finance, an auditor, billing, an administrator), a real
/// PostgreSQL database of its own and the billing simulator, all on loopback.
/// </summary>
public sealed class LedgerWorld : IAsyncDisposable
{
    public const string SalesforceKey = "sf-test-key";
    public const string HubSpotKey = "hs-test-key";
    public const string ApproverKey = "approver-test-key";
    public const string VicePresidentKey = "vp-test-key";
    public const string OwnerApproverKey = "owner-approver-test-key";
    public const string FinanceKey = "finance-test-key";
    public const string AuditorKey = "auditor-test-key";
    public const string BillingKey = "billing-test-key";
    public const string AdminKey = "admin-test-key";

    private readonly WebApplication _billing;
    private string _database = "";
    private Dictionary<string, string?> _configuration = [];
    private readonly List<RunningLedger> _otherNodes = [];

    private LedgerWorld(RunningLedger ledger, WebApplication billing, Uri billingAddress)
    {
        Ledger = ledger;
        _billing = billing;
        BillingSystem = new HttpClient { BaseAddress = billingAddress };
        Salesforce = ledger.ClientWithKey(SalesforceKey);
        HubSpot = ledger.ClientWithKey(HubSpotKey);
        Approver = ledger.ClientWithKey(ApproverKey);
        Finance = ledger.ClientWithKey(FinanceKey);
        Auditor = ledger.ClientWithKey(AuditorKey);
        Billing = ledger.ClientWithKey(BillingKey);
        Admin = ledger.ClientWithKey(AdminKey);
    }

    public RunningLedger Ledger { get; }
    public HttpClient BillingSystem { get; }
    public HttpClient Salesforce { get; }
    public HttpClient HubSpot { get; }
    public HttpClient Approver { get; }
    public HttpClient Finance { get; }
    public HttpClient Auditor { get; }
    public HttpClient Billing { get; }
    public HttpClient Admin { get; }

    public IEventStore EventStore => Ledger.Services.GetRequiredService<IEventStore>();

    /// <summary>A second ledger node on the same database and configuration (with <paramref name="overrides"/>); stopped with the world.</summary>
    public async Task<RunningLedger> StartAnotherNodeAsync(IReadOnlyDictionary<string, string?> overrides)
    {
        var configuration = new Dictionary<string, string?>(_configuration);
        foreach (var (key, value) in overrides) configuration[key] = value;
        var node = await RunningLedger.StartAsync(_database, configuration);
        _otherNodes.Add(node);
        return node;
    }

    /// <param name="settings">Configuration that replaces the world's own (e.g. <c>Billing:Url</c> empty, an SLA of <c>Reconciliation:SlaHours</c>).</param>
    public static async Task<LedgerWorld> StartAsync(string purpose, int billingTimeoutSeconds = 600, Action<IServiceCollection>? services = null,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var billingAddress = new Uri($"http://127.0.0.1:{RunningLedger.FreePort()}/");
        var billing = BillingSimulatorApp.Build(["--urls", billingAddress.ToString().TrimEnd('/')],
            b => b.Configuration["Billing:LedgerApiKey"] = BillingKey);
        await billing.StartAsync();

        var configuration = new Dictionary<string, string?>
        {
            ["Billing:Url"] = billingAddress.ToString(),
            ["Billing:TimeoutSeconds"] = billingTimeoutSeconds.ToString(),
            ["Ledger:Clients:salesforce:Key"] = SalesforceKey, ["Ledger:Clients:salesforce:Role"] = "crm", ["Ledger:Clients:salesforce:Crm"] = "salesforce",
            ["Ledger:Clients:hubspot:Key"] = HubSpotKey, ["Ledger:Clients:hubspot:Role"] = "crm", ["Ledger:Clients:hubspot:Crm"] = "hubspot",
            ["Ledger:Clients:approvals-tool:Key"] = ApproverKey, ["Ledger:Clients:approvals-tool:Role"] = "approver",
            // Approvers are principals with the levels they may decide (ADR/0023): the tool decides all three; two people
            // decide as themselves (the VP, and the owner of the tests' drafts, whom segregation of duties stops).
            ["Ledger:Approvers:approvals-tool:Levels"] = "DealDesk,VicePresident,Cfo",
            ["Ledger:Clients:val.vp:Key"] = VicePresidentKey, ["Ledger:Clients:val.vp:Role"] = "approver",
            ["Ledger:Approvers:val.vp:Levels"] = "DealDesk,VicePresident",
            ["Ledger:Clients:dana.whitfield:Key"] = OwnerApproverKey, ["Ledger:Clients:dana.whitfield:Role"] = "approver",
            ["Ledger:Approvers:dana.whitfield:Levels"] = "DealDesk,VicePresident,Cfo",
            ["Ledger:Clients:finance:Key"] = FinanceKey, ["Ledger:Clients:finance:Role"] = "finance",
            ["Ledger:Clients:auditor:Key"] = AuditorKey, ["Ledger:Clients:auditor:Role"] = "auditor",
            ["Ledger:Clients:billing:Key"] = BillingKey, ["Ledger:Clients:billing:Role"] = "billing",
            ["Ledger:Clients:stewards:Key"] = AdminKey, ["Ledger:Clients:stewards:Role"] = "admin",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) configuration[key] = value;
        var database = await TestPostgres.CreateDatabaseAsync(purpose);
        var ledger = await RunningLedger.StartAsync(database, configuration, services);
        var world = new LedgerWorld(ledger, billing, billingAddress) { _database = database, _configuration = configuration };
        await LinkReferenceCustomerAsync(world.Admin);
        return world;
    }

    /// <summary>
    /// Settings that keep PostgreSQL the system of record when <c>LEDGER_TEST_ESDB</c> is set: for tests whose tampering is SQL
    /// on the event table, which is the record only in PostgreSQL mode (in EventStoreDB mode it holds the replicator's copy).
    /// </summary>
    public static IReadOnlyDictionary<string, string?> PostgresMode { get; } = new Dictionary<string, string?> { [TestEventStore.LedgerVariable] = "postgres" };

    /// <summary>
    /// This world when PostgreSQL is the run's system of record; otherwise this one is disposed and a world in PostgreSQL mode is
    /// started and set up in its place, so a test that tampers with PostgreSQL's event table runs (rather than skips) in an
    /// EventStoreDB run too. The EventStoreDB counterparts of that tampering are <c>EventStoreDbTamperingTests</c>.
    /// </summary>
    /// <param name="settings">What the world was started with besides the defaults.</param>
    public async Task<LedgerWorld> InPostgresModeAsync(string purpose, Func<LedgerWorld, Task>? setUp = null,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        if (!TestEventStore.IsEventStoreDb) return this;
        await DisposeAsync();
        var world = await StartAsync(purpose, settings: (settings ?? new Dictionary<string, string?>()).Concat(PostgresMode).ToDictionary());
        if (setUp is not null) await setUp(world);
        return world;
    }

    /// <summary>The canonical customer the tests' drafts are for (<see cref="Journeys.QuoteToCashJourneyTests.Draft"/>).</summary>
    public const string ReferenceCustomer = "C-ACME", ReferenceAccount = "ACC-ACME";

    /// <summary>
    /// Registers <see cref="ReferenceCustomer"/> (as `ledger demo` does, so the demo finds it registered) and links <see cref="ReferenceAccount"/> to it in each CRM: the identity gate
    /// (ADR/0023) refuses a draft for an account linked to no canonical customer. Idempotent: a second run records nothing.
    /// </summary>
    public static async Task LinkReferenceCustomerAsync(HttpClient admin, params string[] crms)
    {
        // Fixed keys: the same event ids in every run, so the views that show them (snapshots) read the same.
        (await Post(admin, "/customers", new { customerId = ReferenceCustomer, name = "ACME Corporation", webDomain = "acme.example" },
            idempotencyKey: $"reference-customer-{ReferenceCustomer}")).EnsureAccepted();
        foreach (var crm in crms.Length == 0 ? ["salesforce", "hubspot"] : crms)
            (await Post(admin, $"/customers/{ReferenceCustomer}/accounts", new { crm, accountId = ReferenceAccount },
                idempotencyKey: $"reference-account-{crm}-{ReferenceAccount}")).EnsureAccepted();
    }

    /// <summary>
    /// Drafts a quote in Salesforce with one line at 15 % off, prices and submits it: under P-2026.1 it needs the deal desk,
    /// so a reaction requests its approval (<c>approval-{quoteId}-r1</c>).
    /// </summary>
    public async Task SubmitNeedingApprovalAsync(string quoteId)
    {
        (await Post(Salesforce, "/quotes", QuoteToCashJourneyTests.Draft(quoteId, "EUR", "Europe/Berlin"))).EnsureAccepted();
        (await Post(Salesforce, $"/quotes/{quoteId}/lines", new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 4, discountPercent = 15 }))
            .EnsureAccepted();
        (await Post(Salesforce, $"/quotes/{quoteId}/price", new { })).EnsureAccepted();
        (await Post(Salesforce, $"/quotes/{quoteId}/submit")).EnsureAccepted();
    }

    /// <summary>Publishes catalog version 2026.1 and pricing policy P-2026.1 (deal desk above 10%, VP above 20%, CFO above 30% or above 500,000).</summary>
    public Task PublishCatalogAndPolicyAsync() => PublishCatalogAndPolicyAsync(Admin);

    /// <param name="policy">The policy's version: a run against a shared EventStoreDB needs its own (a version is published once).</param>
    public static async Task PublishCatalogAndPolicyAsync(HttpClient admin, string policy = "P-2026.1")
    {
        (await Post(admin, "/catalog/versions", new
        {
            version = "2026.1",
            offerings = new object[]
            {
                new { productOfferingId = "PLAT-ENT", name = "Platform Enterprise", listPrices = new[] { new { currency = "EUR", amount = 1200.00m }, new { currency = "USD", amount = 1300.00m } } },
                new { productOfferingId = "SUPPORT-24", name = "24/7 Support", listPrices = new[] { new { currency = "EUR", amount = 240.00m } } },
            },
        })).EnsureAccepted();
        (await Post(admin, "/pricing-policies", new
        {
            version = policy,
            defaults = new
            {
                dealDeskAboveDiscountPercent = 10m, vicePresidentAboveDiscountPercent = 20m, cfoAboveDiscountPercent = 30m,
                cfoAboveNetTotal = new[] { new { currency = "EUR", amount = 500000m }, new { currency = "USD", amount = 550000m } },
            },
        })).EnsureAccepted();
    }

    /// <summary>A POST with a fresh idempotency key (or the one given), as a CRM integration would send it.</summary>
    public static async Task<HttpResponseMessage> Post(HttpClient client, string path, object? body = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body ?? new { }) };
        request.Headers.Add("Idempotency-Key", idempotencyKey ?? Guid.NewGuid().ToString());
        return await client.SendAsync(request);
    }

    /// <summary>Every event of a stream, read through the port (the system of record), as (type, data) pairs.</summary>
    public async Task<IReadOnlyList<(string Type, JsonElement Data, RecordedEvent Event)>> StreamAsync(string streamId)
    {
        if (await EventStore.ReadStreamAsync(streamId, ReadDirection.Forwards, StreamRevision.Start, 10_000) is not ReadStreamResult.Found found) return [];
        return found.Events.Select(e => (e.Type, JsonDocument.Parse(e.Data).RootElement.Clone(), e)).ToList();
    }

    /// <summary>
    /// How many events of the system of record match, read through the port page by page: PostgreSQL's table, or this
    /// ledger's streams in EventStoreDB (where PostgreSQL's copy may trail).
    /// </summary>
    public async Task<long> CountEventsAsync(Func<RecordedEvent, bool> matches) => (await Ledger.AllEventsAsync()).LongCount(matches);

    /// <summary>
    /// Waits until the reaction processor has reacted to every event so far, and so to the ones its own reactions appended:
    /// what follows a command on other streams (an approval requested, a quote approved, an order's billing handoff) is then in the log.
    /// </summary>
    public Task ReactionsSettledAsync() => Ledger.ReactionsSettledAsync();

    /// <summary>
    /// Waits until every projection has applied every event so far: the CRM's view and reconciliation's model are apart
    /// (ADR 0029), so one showing an event says nothing about the other having it.
    /// </summary>
    public async Task ProjectionsCaughtUpAsync()
    {
        await Ledger.ReplicatedAsync(); // EventStoreDB mode: the projections read PostgreSQL's copy
        // Every projection's own position against the newest stored event (what /projections reports), not Marten's
        // non-stale wait, which judges by the sequence and the daemon's own mark (ADR/0015: EventStoreDB-mode tests read
        // reconciliation models without a history's last quotes while the projections ran as one composite shard).
        var store = Ledger.Services.GetRequiredService<IDocumentStore>();
        var behind = await Eventually(
            async () => (await global::Ledger.Projections.ProjectionLag.ReadAsync(store, CancellationToken.None)).Where(p => p.EventsBehind > 0).ToList(),
            projections => projections.Count == 0, TimeSpan.FromMinutes(2));
        if (behind.Count > 0)
            throw new Xunit.Sdk.XunitException("Projections still behind after 2 minutes: " + string.Join(", ", behind.Select(p => $"{p.Projection} at {p.Position} of {p.HighestEvent}")));
    }

    /// <summary>Waits until <c>GET /projections</c> shows every projection with no event behind, as an admin reads it; fails if one stays behind.</summary>
    public async Task NoProjectionBehindAsync()
    {
        var projections = await Eventually(async () => (await (await Admin.GetAsync("/projections")).Json()).EnumerateArray().ToList(),
            list => list.All(p => p.GetProperty("eventsBehind").GetInt64() == 0));
        Xunit.Assert.All(projections, p => Xunit.Assert.Equal(0, p.GetProperty("eventsBehind").GetInt64()));
    }

    /// <summary>
    /// Waits for something that happens asynchronously (a billing callback), checking every 100 ms for up to
    /// <paramref name="limit"/> (30 s unless given), and returns the last value either way, for the test's assertion to judge.
    /// </summary>
    public static async Task<T> Eventually<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? limit = null)
    {
        var until = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var value = await probe();
            if (done(value) || DateTime.UtcNow > until) return value;
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in new[] { BillingSystem, Salesforce, HubSpot, Approver, Finance, Auditor, Billing, Admin }) client.Dispose();
        foreach (var node in _otherNodes) await node.DisposeAsync();
        await Ledger.DisposeAsync();
        await _billing.StopAsync();
        await _billing.DisposeAsync();
    }
}

public static class ResponseChecks
{
    public static HttpResponseMessage EnsureAccepted(this HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
            throw new Xunit.Sdk.XunitException(
                $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {response.Content.ReadAsStringAsync().Result}");
        return response;
    }

    public static async Task<JsonElement> Json(this HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

}
