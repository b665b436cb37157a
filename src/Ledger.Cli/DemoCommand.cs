using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Spectre.Console;

namespace Ledger.Cli;

/// <summary>
/// <c>ledger demo</c>: fills the running ledger through its public HTTP API, as the CRMs, the deal desk, admins and billing would,
/// so the console and <c>ledger reconcile</c> have something to show. Every POST carries an idempotency key derived from what it
/// does (<c>demo-Q-SF-007-accept</c>), so a second run is answered from the first run's stored answers and adds nothing.
/// </summary>
public static class DemoCommand
{
    private const string Catalog = "demo-2026.1";
    private const string Policy = "P-DEMO-2026.1";
    private static readonly string[] Crms = ["salesforce", "hubspot", "dynamics", "partner-portal"];
    private static readonly string[] Levels = ["DealDesk", "VicePresident", "Cfo"];
    private static readonly string[] Owners = ["dana.whitfield", "lee.moreau", "sam.okafor", "ines.berg"];

    /// <summary>Canonical customers, two pairs of which are the same company registered twice (same name; same web domain).</summary>
    private static readonly (string Id, string Name, string Domain)[] Customers =
    [
        ("C-ACME", "ACME Corporation", "acme.example"), ("C-ACME-2", "ACME Corporation", "acme-corp.example"),
        ("C-GLOBEX", "Globex", "globex.example"), ("C-GLOBEX-EU", "Globex Europe", "globex.example"),
        ("C-INITECH", "Initech", "initech.example"), ("C-UMBRELLA", "Umbrella Health", "umbrella.example"),
        ("C-STARK", "Stark Industrial", "stark.example"), ("C-WAYNE", "Wayne Logistics", "wayne.example"),
    ];

    /// <summary>What happens to a quote: one of twenty stories, cycled over the quotes.</summary>
    private enum Story
    {
        Draft, Priced, PendingDealDesk, PendingVicePresident, PendingCfo, Rejected, Approved, Sent, Accepted, Withdrawn,
        Billed, Billed2, Billed3, BilledVicePresident, ShortBilled, BillingFailed, BillingSilent, CrmStale, AcceptedCfo, BilledCfo,
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var count = Option(args, "--quotes") is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : 200;
        if (count is < 1 or > 2000) throw new InvalidOperationException("--quotes is 1 to 2000.");
        var parallel = 4;

        using var admin = await LocalLedger.ApiClientAsync("admin");
        using var approver = await LocalLedger.ApiClientAsync("approver");
        var crms = new Dictionary<string, HttpClient>();
        foreach (var crm in Crms) crms[crm] = await LocalLedger.ApiClientAsync("crm", crm);
        using var simulator = LocalLedger.BillingSimulatorUrl() is { } url ? new HttpClient { BaseAddress = new Uri(url.TrimEnd('/') + "/") } : null;
        var epoch = await EpochAsync();

        AnsiConsole.MarkupLine("Catalog, pricing policy and customers…");
        await Post(admin, "catalog/versions", "demo-catalog", new
        {
            version = Catalog,
            offerings = new object[]
            {
                new { productOfferingId = "PLAT-ENT", name = "Platform Enterprise", listPrices = new[] { Price("EUR", 1200m), Price("USD", 1300m) } },
                new { productOfferingId = "PLAT-TEAM", name = "Platform Team", listPrices = new[] { Price("EUR", 300m), Price("USD", 330m) } },
                new { productOfferingId = "SUPPORT-24", name = "24/7 Support", listPrices = new[] { Price("EUR", 240m), Price("USD", 260m) } },
                new { productOfferingId = "ONBOARD", name = "Onboarding package", listPrices = new[] { Price("EUR", 5000m), Price("USD", 5500m) } },
            },
        });
        await Post(admin, "pricing-policies", "demo-policy", new
        {
            version = Policy,
            defaults = new
            {
                dealDeskAboveDiscountPercent = 10m, vicePresidentAboveDiscountPercent = 20m, cfoAboveDiscountPercent = 30m,
                cfoAboveNetTotal = new[] { Price("EUR", 500000m), Price("USD", 550000m) },
            },
        });
        for (var c = 0; c < Customers.Length; c++)
        {
            var (id, name, domain) = Customers[c];
            await Post(admin, "customers", $"demo-customer-{id}", new { customerId = id, name, webDomain = domain });
            // Each customer is known in two CRMs under its own account id there.
            foreach (var crm in LinkedCrms(c))
                await Post(admin, $"customers/{id}/accounts", $"demo-account-{id}-{crm}", new { crm, accountId = Account(id, crm) });
        }

        var outcomes = new ConcurrentDictionary<string, string>();
        var done = 0;
        await AnsiConsole.Progress().StartAsync(async progress =>
        {
            var task = progress.AddTask($"{count} quotes", maxValue: count);
            await Parallel.ForEachAsync(Enumerable.Range(1, count), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (i, ct) =>
            {
                var story = (Story)((i - 1) % 20);
                var crm = Crms[(i - 1) % Crms.Length];
                var quoteId = $"Q-{crm.ToUpperInvariant()[..2]}-{i:000}";
                await QuoteAsync(quoteId, i, story, crm, crms[crm], approver, simulator);
                outcomes[quoteId] = story.ToString();
                Interlocked.Increment(ref done);
                task.Increment(1);
            });
        });

        AnsiConsole.MarkupLine("CRM state reports…");
        // A CRM reports a quote's state once the ledger's reactions have run (an order converts its quote): read before them,
        // a report could differ from what a second run reads, be keyed anew and be recorded again.
        await ReactionsCaughtUpAsync(admin);
        foreach (var crm in Crms)
        {
            var reports = new List<object>();
            foreach (var (quoteId, story) in outcomes.Where(o => o.Key.StartsWith($"Q-{crm.ToUpperInvariant()[..2]}-", StringComparison.Ordinal)).OrderBy(o => o.Key))
            {
                var status = await StatusAsync(crms[crm], quoteId);
                if (status is null) continue;
                // A CRM that missed the acceptance still shows the quote as sent: the ledger reports it stale (QTC-06).
                reports.Add(new { quoteId, crmOpportunityId = $"OPP-{quoteId}", status = story == nameof(Story.CrmStale) ? "Sent" : status, observedAt = epoch });
            }
            // Keyed by what the batch says: the same reports again are a replay; a run with more quotes reports anew (and the
            // ledger answers the reports it already holds as unchanged).
            foreach (var batch in reports.Chunk(200))
                await Post(crms[crm], $"crm/{crm}/reports/quote-states",
                    $"demo-crm-report-{crm}-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(batch)))[..16]}",
                    new { reports = batch });
        }

        var table = new Table().AddColumns("story", "quotes");
        foreach (var group in outcomes.GroupBy(o => o.Value).OrderBy(g => g.Key)) table.AddRow(group.Key, group.Count().ToString(CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"{done} quotes over {Crms.Length} CRMs, {Customers.Length} customers (two pairs of duplicates).{(simulator is null ? " No billing simulator was running: every order was handed to the configured billing system as it is." : "")}");
        Console.WriteLine($"Commands: {_recorded} new, {_replayed} answered from an earlier run.");
        AnsiConsole.MarkupLine("Open the console at [bold]/console[/] (sign in with a key 'ledger up' printed), or run [bold]./ledger reconcile[/]. Running the demo again adds nothing.");
        return 0;
    }

    private static async Task QuoteAsync(string quoteId, int i, Story story, string crm, HttpClient api, HttpClient approver, HttpClient? simulator)
    {
        // A quote is for a customer whose account is linked in the quote's CRM: the identity gate refuses any other (ADR/0023).
        var linked = Customers.Where((_, c) => LinkedCrms(c).Contains(crm)).ToArray();
        var customer = linked[(i * 7) % linked.Length].Id;
        var currency = crm is "hubspot" or "partner-portal" ? "USD" : "EUR";
        var discount = story switch
        {
            Story.PendingDealDesk or Story.Rejected or Story.Approved or Story.ShortBilled or Story.Billed2 => 15m,
            Story.PendingVicePresident or Story.BilledVicePresident => 25m,
            Story.PendingCfo or Story.AcceptedCfo or Story.BilledCfo => 35m,
            _ => 5m + i % 5,
        };
        string Key(string step) => $"demo-{quoteId}-{step}";
        await Post(api, "quotes", Key("draft"), new
        {
            quoteId, crmOpportunityId = $"OPP-{quoteId}", crmAccountId = Account(customer, crm), customerId = customer, owner = Owners[i % Owners.Length],
            currency, segment = i % 3 == 0 ? "mid-market" : "enterprise", region = currency == "USD" ? "AMER" : "EMEA",
            legalEntity = currency == "USD" ? "Ledger Demo Inc." : "Ledger Demo GmbH", timeZone = currency == "USD" ? "America/New_York" : "Europe/Berlin",
            priceBookVersion = Catalog, validFrom = "2026-01-01", validUntil = "2099-12-31",
        });
        await Post(api, $"quotes/{quoteId}/lines", Key("line-1"), new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = Catalog, quantity = 2 + i % 9, discountPercent = discount });
        if (i % 2 == 0)
            await Post(api, $"quotes/{quoteId}/lines", Key("line-2"), new { lineId = "L2", productOfferingId = "SUPPORT-24", catalogVersion = Catalog, quantity = 2 + i % 9, discountPercent = Math.Min(discount, 10m) });
        if (story == Story.Draft) return;
        await Post(api, $"quotes/{quoteId}/price", Key("price"), new { policyVersion = Policy });
        if (story == Story.Priced) return;
        await Post(api, $"quotes/{quoteId}/submit", Key("submit"), new { });

        string[] levels = discount switch { > 30m => ["DealDesk", "VicePresident", "Cfo"], > 20m => ["DealDesk", "VicePresident"], > 10m => ["DealDesk"], _ => [] };
        var grant = story switch
        {
            Story.PendingDealDesk or Story.Rejected => 0,
            Story.PendingVicePresident => 1,
            Story.PendingCfo => 2,
            _ => levels.Length,
        };
        for (var l = 0; l < grant; l++)
        {
            // Not waiting for this level: granted by an earlier run (or the quote was decided).
            if (!await PendingAtAsync(api, approver, quoteId, levels[l])) continue;
            await Post(approver, $"approvals/{quoteId}/1/grant", Key($"grant-{levels[l]}"), new { level = levels[l], approver = Approver(levels[l]), reason = "Within the account plan" });
        }
        if (story is Story.PendingDealDesk or Story.PendingVicePresident or Story.PendingCfo) return;
        if (story == Story.Rejected)
        {
            if (await PendingAtAsync(api, approver, quoteId, "DealDesk"))
                await Post(approver, $"approvals/{quoteId}/1/deny", Key("deny"), new { level = "DealDesk", approver = Approver("DealDesk"), reason = "Discount not justified by volume" });
            return;
        }
        await StatusEventuallyAsync(api, quoteId, "Approved", "Sent", "Accepted", "Ordered", "Withdrawn");
        if (story == Story.Approved) return;
        await Post(api, $"quotes/{quoteId}/send", Key("send"), new { documentHash = $"sha256:{quoteId.ToLowerInvariant()}" });
        if (story == Story.Withdrawn)
        {
            await Post(api, $"quotes/{quoteId}/withdraw", Key("withdraw"), new { reason = "Customer chose another vendor" });
            return;
        }
        if (story == Story.Sent) return;
        await Post(api, $"quotes/{quoteId}/accept", Key("accept"), new { revision = 1, acceptanceType = "signature", signer = "Pat Signer" });
        if (story is Story.Accepted or Story.AcceptedCfo) return;

        // How the simulated billing system will answer this order (set before the order, so the handoff meets it).
        var orderId = $"ord-{quoteId}";
        object? scenario = story switch
        {
            Story.ShortBilled => new { mode = "BillDifferentAmount", amountDelta = -250m },
            Story.BillingFailed => new { mode = "FailBusiness", failReason = "Billing account is closed." },
            Story.BillingSilent => new { mode = "Silent" },
            _ => null,
        };
        if (simulator is not null && scenario is not null)
            (await simulator.PutAsJsonAsync($"scenarios/{orderId}", scenario)).EnsureSuccessStatusCode();
        await Post(api, $"quotes/{quoteId}/order", Key("order"), new { billingAccount = $"BA-{customer}" });
    }

    /// <summary>
    /// Waits until the approval of revision 1 is in the queue (the ledger requests it in reaction to the submission, and the queue is a
    /// projection): true when it waits for <paramref name="level"/>; false when it waits for a later one or the quote was decided (a second run).
    /// </summary>
    private static async Task<bool> PendingAtAsync(HttpClient api, HttpClient approver, string quoteId, string level)
    {
        var until = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < until)
        {
            var queue = await approver.GetFromJsonAsync<JsonElement>("approvals/queue?pageSize=500");
            var item = queue.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("item"))
                .FirstOrDefault(i => i.GetProperty("id").GetString() == $"{quoteId}-r1");
            if (item.ValueKind == JsonValueKind.Object)
            {
                var pending = Array.IndexOf(Levels, item.GetProperty("pendingLevel").GetString());
                if (pending == Array.IndexOf(Levels, level)) return true;
                // Waiting at a later level: this one was granted by an earlier run. At an earlier one: the queue has not caught up yet.
                if (pending > Array.IndexOf(Levels, level)) return false;
            }
            else if (await StatusAsync(api, quoteId) is not "InApproval") return false;
            await Task.Delay(250);
        }
        throw new TimeoutException($"{quoteId} did not wait for {level} within 120 s: are the reactions and projections running ('ledger reactions', 'ledger projections')?");
    }

    private static async Task StatusEventuallyAsync(HttpClient api, string quoteId, params string[] statuses)
    {
        var until = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < until)
        {
            var status = await StatusAsync(api, quoteId);
            if (status is not null && Array.IndexOf(statuses, status) >= 0) return;
            await Task.Delay(250);
        }
        throw new TimeoutException($"{quoteId} did not reach {string.Join(" or ", statuses)} within 120 s.");
    }

    /// <summary>The quote's status as the event store has it (the CRM's own read, not a projection).</summary>
    private static async Task<string?> StatusAsync(HttpClient api, string quoteId)
    {
        var response = await api.GetAsync($"quotes/{quoteId}");
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        return (await Checked(response, $"GET quotes/{quoteId}").Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString();
    }

    private static int _recorded, _replayed;

    /// <summary>Waits (two minutes at most) until the reaction processor has reacted to every event, twice in a row.</summary>
    private static async Task ReactionsCaughtUpAsync(HttpClient admin)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        for (var inARow = 0; inARow < 2 && waited.Elapsed < TimeSpan.FromMinutes(2); await Task.Delay(200))
        {
            var status = await Checked(await admin.GetAsync("reactions"), "GET reactions").Content.ReadFromJsonAsync<JsonElement>();
            inARow = status.GetProperty("caughtUp").GetBoolean() ? inARow + 1 : 0;
        }
    }

    /// <summary>A command with its derived key; the API says when it answered from an earlier run (<c>Idempotent-Replayed</c>).</summary>
    private static async Task Post(HttpClient api, string path, string key, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        var response = Checked(await api.SendAsync(request), $"POST {path}");
        if (response.Headers.TryGetValues("Idempotent-Replayed", out var replayed) && replayed.Contains("true")) Interlocked.Increment(ref _replayed);
        else Interlocked.Increment(ref _recorded);
    }

    private static HttpResponseMessage Checked(HttpResponseMessage response, string what) =>
        response.IsSuccessStatusCode ? response
        : throw new InvalidOperationException($"{what} answered {(int)response.StatusCode}: {response.Content.ReadAsStringAsync().Result}");

    /// <summary>The instant the first run stood at, kept in .ledger/demo.json: a second run reports the same observations, so they are replays.</summary>
    private static async Task<string> EpochAsync()
    {
        if (File.Exists(LocalLedger.DemoFile))
            return JsonDocument.Parse(await File.ReadAllTextAsync(LocalLedger.DemoFile)).RootElement.GetProperty("observedAt").GetString()!;
        var epoch = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        await File.WriteAllTextAsync(LocalLedger.DemoFile, JsonSerializer.Serialize(new { observedAt = epoch }));
        return epoch;
    }

    private static object Price(string currency, decimal amount) => new { currency, amount };

    /// <summary>The two CRMs customer number <paramref name="c"/> is known in.</summary>
    private static string[] LinkedCrms(int c) => [Crms[c % Crms.Length], Crms[(c + 1) % Crms.Length]];

    private static string Account(string customer, string crm) => $"{crm.ToUpperInvariant()[..2]}-{customer}";

    private static string Approver(string level) => level switch { "DealDesk" => "vic.desk", "VicePresident" => "vera.president", _ => "carl.cfo" };

    private static string? Option(string[] args, string name) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
