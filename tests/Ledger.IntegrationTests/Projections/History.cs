using System.Security.Cryptography;
using System.Text;
using Ledger.Domain.Approvals;
using Ledger.Domain.Billing;
using Ledger.Domain.Orders;
using Ledger.Domain.Quotes;
using Ledger.EventStore;
using NodaTime;
using Ledger.Domain.Common;

namespace Ledger.IntegrationTests.Projections;

/// <summary>
/// Writes a fixed event history straight through the event store port: each event with an id derived from its
/// place in the history and the recorded-at instant given, so two runs of one history store the same facts.
/// Histories can say what the command path never would (an approval gone stale before sending) because
/// reconciliation must find exactly that.
/// </summary>
/// <param name="scope">Names the history in its event ids: two histories in one store need two scopes.</param>
/// <param name="streamPrefix">Put before every stream name, for a store shared with others (an EventStoreDB node).</param>
public sealed class History(IEventStore store, EventSerializer serializer, string scope = "history", string streamPrefix = "")
{
    private int _count;

    public int Count => _count;

    /// <summary>The global position of the last event appended.</summary>
    public GlobalPosition? Last { get; private set; }

    public async Task Append(string stream, Instant at, params object[] events)
    {
        var batch = events.Select(e =>
        {
            var (type, data) = serializer.Serialize(e);
            var id = new Guid(MD5.HashData(Encoding.UTF8.GetBytes($"{scope}-event-{++_count}")));
            return new EventToAppend(id, type, data, new EventMetadata($"history-{_count}", $"history-{_count}", "history", "reconciliation-test", null, at));
        }).ToList();
        var result = await store.AppendAsync(streamPrefix + stream, ExpectedRevision.Any, batch);
        Last = result is AppendResult.Success success ? success.Position : throw new InvalidOperationException($"Appending to {stream} answered {result}.");
    }
}

/// <summary>Events of a quote's way to cash, with the defaults a test does not care about.</summary>
public static class Q2C
{
    public static readonly Instant T0 = Instant.FromUtc(2026, 3, 2, 9, 0);

    public static string Quote(string id) => $"quote-{id}";
    public static string Order(string id) => $"order-ord-{id}";
    public static string Billing(string id) => $"billing-ord-{id}";
    public static string OrderId(string id) => $"ord-{id}";

    public static QuoteDrafted Drafted(string id, string crm = "salesforce", string currency = "USD", string region = "us-east") =>
        new(new QuoteId(id), crm, $"opp-{id}", $"acct-{id}", new CustomerId($"cust-{id}"), "alice.rep", currency, "enterprise", region, "ledger-inc-us", "America/New_York",
            "pb-2026.1", new LocalDate(2026, 3, 1), new LocalDate(2026, 3, 31), 1, T0);

    public static PriceSnapshot Price(decimal net, string currency = "USD") =>
        new(currency, [new PricedLine("L1", "PLAT-ENT", "2026.1", 1m, net, 0m, net, 0m, net)], net, 0m, net, 0m, "P-2026.1", $"hash-{net}");

    public static ApprovalFingerprint Fingerprint(decimal net, int revision = 1) => new(revision, $"hash-{net}", "P-2026.1");

    /// <summary>Drafted, priced, approved within policy, sent and accepted: the quote stream of an accepted quote.</summary>
    public static object[] AcceptedQuote(string id, decimal net, string crm = "salesforce", string currency = "USD", string region = "us-east") =>
    [
        Drafted(id, crm, currency, region),
        new QuotePriced(new QuoteId(id), 1, Price(net, currency), T0),
        new QuoteApproved(new QuoteId(id), 1, Fingerprint(net), true, "policy", T0),
        new QuoteSent(new QuoteId(id), 1, "sha256:doc", "alice.rep", T0),
        new QuoteAccepted(new QuoteId(id), 1, "e-signature", "buyer@example.com", T0),
    ];

    public static OrderPlaced Placed(string id, decimal net, string crm = "salesforce", string currency = "USD", string region = "us-east") =>
        new(new OrderId(OrderId(id)), new AcceptedQuote(new QuoteId(id), 1, crm, new CustomerId($"cust-{id}"), "ledger-inc-us", region, currency,
            [new PricedLine("L1", "PLAT-ENT", "2026.1", 1m, net, 0m, net, 0m, net)], net, 0m, net), "crm-integration", T0);

    public static BillingHandoffRequested Handoff(string id, decimal amount, string currency = "USD") =>
        new(OrderId(id), amount, currency, $"BA-{id}", $"billing-{id}-1", "sha256:payload", T0);

    public static BillingHandoffAcknowledged Ack(string id, decimal amount, string currency = "USD", bool afterTimeout = false) =>
        new(OrderId(id), $"INV-{id}", amount, currency, afterTimeout, T0);
}
