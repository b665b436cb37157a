using Ledger.Domain.Quotes;
using Ledger.Domain.Reconciliation;
using Ledger.Projections.Common;
using Ledger.Projections.Contracts;
using Ledger.Projections.Quotes;
using Ledger.Projections.Reconciliation;
using Ledger.Projections.Revenue;
using Marten;
using NodaTime;
using Xunit;

namespace Ledger.IntegrationTests.Projections;

/// <summary>
/// The revenue summary is summed in PostgreSQL (ADR/0014); summing the loaded views is the reference. Over a varied set of
/// stored views (accepted only, ordered, cancelled, billed by acknowledgement or by records in two currencies with credit
/// notes and voids, no CRM or region, months apart, contracts with every kind of movement, of quotes in and out of the
/// filter), every filter the endpoint takes must give the same lines.
/// </summary>
public sealed class RevenueSummaryInDatabaseTests
{
    private static readonly string?[] Crms = ["salesforce", "hubspot", "dynamics", null];
    private static readonly string[] Currencies = ["EUR", "USD"];

    [Fact]
    public async Task Every_filter_sums_in_the_database_what_the_views_sum()
    {
        using var documents = await StoredViews.CreateStoreAsync(nameof(RevenueSummaryInDatabaseTests));
        var random = new Random(20261207);
        var quotes = Enumerable.Range(0, 400).Select(i => Quote(i, random)).ToList();
        await using (var session = documents.LightweightSession())
        {
            session.Store(quotes.ToArray());
            session.Store(Enumerable.Range(0, 60).Select(i => Contract(i, random, quotes)).ToArray());
            await session.SaveChangesAsync();
        }

        var summary = new RevenueSummary(documents);
        (string? Crm, string? Customer)[] filters =
        [
            (null, null), .. Crms.OfType<string>().Select(c => ((string?)c, (string?)null)), ("no-such-crm", null),
            (null, "C-1"), (null, "C-2"), (null, "C-7"), ("hubspot", "C-3"), (null, "no-such-customer"),
        ];
        var compared = 0;
        foreach (var (crm, customer) in filters)
        {
            var expected = await summary.ReadFromDocumentsAsync(crm, CancellationToken.None, customer);
            var actual = await summary.ReadAsync(crm, CancellationToken.None, customer);
            Assert.True(expected.SequenceEqual(actual),
                $"crm {crm ?? "any"}, customer {customer ?? "any"}:\nviews: {string.Join("\n       ", expected)}\nSQL:   {string.Join("\n       ", actual)}");
            compared += expected.Count;
        }

        // Not a comparison of empty or one-sided sums: every column has figures, credit notes and churn among them.
        var all = await summary.ReadAsync(null, CancellationToken.None);
        Assert.True(compared > 100, $"only {compared} lines compared");
        Assert.Contains(all, l => l.Accepted > 0);
        Assert.Contains(all, l => l.Ordered > 0);
        Assert.Contains(all, l => l.Billed != 0);
        Assert.Contains(all, l => l.Crm == "-" && l.Region == "-");
        Assert.Contains(all, l => l.New > 0);
        Assert.Contains(all, l => l.Expansion > 0);
        Assert.Contains(all, l => l.Contraction < 0);
        Assert.Contains(all, l => l.Renewal > 0);
        Assert.Contains(all, l => l.Churn < 0);
        Assert.Equal(["-", "EUR", "USD"], all.Select(l => l.Currency).Distinct().Order(StringComparer.Ordinal)); // "-": a contract without a currency
    }

    private static EventRef Ref(string stream, long position, Instant at) => new(stream, position, Guid.NewGuid(), "bench.v1", at);

    private static Instant At(Random random) => Instant.FromUtc(2026, 1, 1, 0, 0) + Duration.FromMinutes(random.Next(0, 60 * 24 * 200));

    private static QuoteReconciliation Quote(int i, Random random)
    {
        var id = $"Q-{i:D4}";
        var currency = Currencies[random.Next(Currencies.Length)];
        var net = Math.Round((decimal)random.Next(100, 500_000) / 7m, 2);
        var view = new QuoteReconciliation
        {
            Id = id, SourceCrm = Crms[random.Next(Crms.Length)], CustomerId = $"C-{random.Next(0, 10)}", Currency = currency,
            Region = random.Next(5) == 0 ? null : random.Next(2) == 0 ? "EMEA" : "AMER",
        };
        var position = i * 100L;
        if (random.Next(6) > 0) view.Accepted = new Sourced<Amount>(new Amount(net, currency), Ref($"quote-{id}", ++position, At(random)));
        if (view.Accepted is null && random.Next(3) > 0) return view; // drafts and sent quotes: no figure
        if (random.Next(4) > 0)
        {
            var progress = random.Next(5) switch { 0 => OrderProgress.Cancelled, 1 => OrderProgress.Closed, _ => OrderProgress.Placed };
            view.Order = new Sourced<OrderSummary>(new OrderSummary($"O-{i}", progress, new Amount(net, currency)), Ref($"ord-{id}", ++position, At(random)));
            switch (random.Next(4))
            {
                case 0: // acknowledged by billing, no records
                    view.Billing = new Sourced<BillingSummary>(new BillingSummary(BillingProgress.Acknowledged, $"INV-{i}", new Amount(net, currency)), Ref($"billing-{id}", ++position, At(random)));
                    break;
                case 1: // records: invoices, a credit note, a void, some in the other currency
                case 2:
                    view.Billing = new Sourced<BillingSummary>(new BillingSummary(BillingProgress.Acknowledged, $"INV-{i}", null), Ref($"billing-{id}", ++position, At(random)));
                    for (var r = random.Next(1, 5); r > 0; r--)
                        view.BillingRecords.Add(new BillingRecordLine($"R-{i}-{r}", (BillingRecordKind)random.Next(3),
                            new Amount(Math.Round(net / random.Next(1, 4), 2), random.Next(5) == 0 ? Currencies.Single(c => c != currency) : currency),
                            (BillingRecordStatus)random.Next(3), Ref($"billing-record-{i}-{r}", ++position, At(random))));
                    break;
            }
        }
        return view;
    }

    private static ContractView Contract(int i, Random random, IReadOnlyList<QuoteReconciliation> quotes)
    {
        var quote = quotes[random.Next(quotes.Count)];
        var contract = new ContractView
        {
            Id = $"K-{i:D3}", QuoteId = random.Next(8) == 0 ? $"Q-UNKNOWN-{i}" : quote.Id, SourceCrm = random.Next(6) == 0 ? null : quote.SourceCrm,
            Currency = random.Next(8) == 0 ? null : quote.Currency,
        };
        if (random.Next(10) == 0) contract.QuoteId = null; // a contract of no quote counts nowhere
        for (var m = random.Next(1, 5); m > 0; m--)
        {
            var kind = (ContractMovementKind)random.Next(5);
            var amount = Math.Round((decimal)random.Next(1_000, 90_000) / 3m, 2);
            contract.Movements.Add(new ContractMovement(kind, kind is ContractMovementKind.Contraction or ContractMovementKind.Churn ? -amount : amount,
                Ref($"contract-{i}", 10_000 + i * 10 + m, At(random))));
        }
        return contract;
    }
}
