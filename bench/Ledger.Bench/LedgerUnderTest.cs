using System.Net.Http.Json;
using Ledger.Api;
using Ledger.BillingSimulator;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ledger.Bench;

/// <summary>
/// The real HTTP API (in-process Kestrel, its projection daemon and durable messaging) on a benchmark's cluster, with
/// the billing simulator answering handoffs. Stoppable and startable again on the same database, so a benchmark can
/// change the store underneath it while no daemon is running.
/// </summary>
public sealed class LedgerUnderTest : IAsyncDisposable
{
    public const string CrmKey = "bench-crm", ApproverKey = "bench-approver", AdminKey = "bench-admin", BillingKey = "bench-billing";

    private readonly string _connectionString;
    private readonly string _billingUrl = $"http://127.0.0.1:{FreePort()}";
    private WebApplication? _billing, _api;

    private LedgerUnderTest(string connectionString, string apiUrl)
    {
        _connectionString = connectionString;
        Url = apiUrl;
    }

    public string Url { get; }

    /// <summary>Configuration given to the API at its next start (e.g. <c>Ledger:Projections:Wake</c>).</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    /// <summary>The API's own document store: projection progress and views, as the API sees them.</summary>
    public IDocumentStore Views => _api?.Services.GetRequiredService<IDocumentStore>() ?? throw new InvalidOperationException("The API is not running.");

    /// <summary>Starts both hosts and registers the catalog and pricing policy the journeys quote against.</summary>
    public static async Task<LedgerUnderTest> StartAsync(string connectionString)
    {
        var ledger = new LedgerUnderTest(connectionString, $"http://127.0.0.1:{FreePort()}");
        await ledger.StartAsync();
        using var admin = ledger.Client(AdminKey);
        await Send(admin, "/catalog/versions", new { version = "2026.1", offerings = new[] { new { productOfferingId = "PLAT-ENT", name = "Platform", listPrices = new[] { new { currency = "USD", amount = 1300.00m } } } } });
        await Send(admin, "/pricing-policies", new
        {
            version = "P-2026.1",
            defaults = new { dealDeskAboveDiscountPercent = 10m, vicePresidentAboveDiscountPercent = 20m, cfoAboveDiscountPercent = 30m, cfoAboveNetTotal = new[] { new { currency = "USD", amount = 550000m } } },
        });
        // The journeys' drafts name this account: the identity gate refuses an account linked to no canonical customer (ADR/0023).
        await Send(admin, "/customers", new { customerId = "C-1", name = "Bench Customer" });
        await Send(admin, "/customers/C-1/accounts", new { crm = "salesforce", accountId = "ACC-1" });
        return ledger;
    }

    public async Task StartAsync()
    {
        _billing = BillingSimulatorApp.Build(["--urls", _billingUrl], b =>
        {
            b.Configuration["Billing:LedgerApiKey"] = BillingKey;
            b.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        await _billing.StartAsync();
        _api = LedgerApi.Build(["--urls", Url], b =>
        {
            b.Configuration[LedgerSettings.PostgresVariable] = _connectionString;
            b.Configuration["Ledger:PublicUrl"] = Url + "/";
            b.Configuration["Billing:Url"] = _billingUrl + "/";
            foreach (var (name, key, role, crm) in new[] { ("crm", CrmKey, "crm", "salesforce"), ("approver", ApproverKey, "approver", null), ("admin", AdminKey, "admin", null), ("billing", BillingKey, "billing", null) })
            {
                b.Configuration[$"Ledger:Clients:{name}:Key"] = key;
                b.Configuration[$"Ledger:Clients:{name}:Role"] = role;
                if (crm is not null) b.Configuration[$"Ledger:Clients:{name}:Crm"] = crm;
            }
            b.Configuration["Ledger:Approvers:approver:Levels"] = "DealDesk,VicePresident,Cfo"; // authority of the approving principal (ADR/0023)
            foreach (var (name, value) in Settings) b.Configuration[name] = value;
            b.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        await _api.StartAsync();
    }

    public async Task StopAsync()
    {
        foreach (var host in new[] { _api, _billing })
        {
            if (host is null) continue;
            await host.StopAsync();
            await host.DisposeAsync();
        }
        _api = _billing = null;
    }

    public HttpClient Client(string key)
    {
        var http = new HttpClient { BaseAddress = new Uri(Url + "/") };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    public static async Task Send(HttpClient client, string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        (await client.SendAsync(request)).EnsureSuccessStatusCode();
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
