using Ledger.Projections.Common;
using Ledger.Projections.Quotes;
using Ledger.Projections.Reconciliation;
using Marten;
using NodaTime;
using NodaTime.Text;

namespace Ledger.Projections.Revenue;

/// <summary>
/// Accepted, ordered and billed totals of one CRM, region and currency in one month (UTC) of the event that counted; and
/// how contracts' whole-term net value moved in it (ADR/0021): <paramref name="New"/> contracts started,
/// <paramref name="Expansion"/> and <paramref name="Contraction"/> (negative) by amendments, <paramref name="Renewal"/>
/// terms renewed, <paramref name="Churn"/> (negative) the terms lost to cancellation or expiry.
/// </summary>
public sealed record RevenueLine(string Crm, string Region, string Currency, string Month, decimal Accepted, decimal Ordered, decimal Billed,
    decimal New = 0, decimal Expansion = 0, decimal Contraction = 0, decimal Renewal = 0, decimal Churn = 0);

/// <summary>
/// Sums the quote views: accepted at acceptance, ordered at order placement (cancelled orders do not count), billed
/// at what billing holds. A sum over the per-quote view rather than a view of its own, because the month, CRM and
/// region of each figure live on different streams that only the quote view joins (ADR/0014).
/// </summary>
public sealed class RevenueSummary(IDocumentStore store)
{
    private static readonly YearMonthPattern MonthPattern = YearMonthPattern.Iso;

    /// <param name="customerId">Only this canonical customer's quotes, those of customers merged into it included.</param>
    public async Task<IReadOnlyList<RevenueLine>> ReadAsync(string? crm, CancellationToken ct, string? customerId = null)
    {
        await using var session = store.QuerySession();
        var query = session.Query<QuoteView>().Where(x => x.Accepted != null || x.Order != null);
        if (crm is not null) query = query.Where(x => x.SourceCrm == crm);
        if (customerId is not null) query = query.Where(x => x.CustomerId == customerId);
        var views = await query.ToListAsync(ct);

        var contracts = session.Query<Contracts.ContractView>().Where(x => x.QuoteId != null);
        if (crm is not null) contracts = contracts.Where(x => x.SourceCrm == crm);
        // A contract's region is its quote's.
        var regions = views.ToDictionary(v => v.Id, v => v.Region ?? "-");
        var figures = views.SelectMany(v => Figures(v)).Concat((await contracts.ToListAsync(ct)).SelectMany(c => Figures(c, regions)));
        return figures
            .GroupBy(f => (f.Crm, f.Region, f.Currency, f.Month))
            .Select(g => new RevenueLine(g.Key.Crm, g.Key.Region, g.Key.Currency, g.Key.Month,
                g.Sum(f => f.Accepted), g.Sum(f => f.Ordered), g.Sum(f => f.Billed),
                g.Sum(f => f.New), g.Sum(f => f.Expansion), g.Sum(f => f.Contraction), g.Sum(f => f.Renewal), g.Sum(f => f.Churn)))
            .OrderBy(l => l.Month, StringComparer.Ordinal).ThenBy(l => l.Crm, StringComparer.Ordinal)
            .ThenBy(l => l.Region, StringComparer.Ordinal).ThenBy(l => l.Currency, StringComparer.Ordinal)
            .ToList();
    }

    private static IEnumerable<RevenueLine> Figures(QuoteView v)
    {
        var (crm, region) = (v.SourceCrm ?? "-", v.Region ?? "-");
        if (v.Accepted is { } accepted)
            yield return new RevenueLine(crm, region, accepted.Value.Currency, Month(accepted.Source.At), accepted.Value.Value, 0, 0);
        if (v.Order is { Value.Progress: not OrderProgress.Cancelled } order)
            yield return new RevenueLine(crm, region, order.Value.Accepted.Currency, Month(order.Source.At), 0, order.Value.Accepted.Value, 0);
        var billedAt = v.BillingRecords.Select(r => r.Source).Append(v.Billing?.Source).OfType<EventRef>().MaxBy(r => r.Position);
        if (v.Order is not null && billedAt is not null)
            foreach (var billed in QuoteFacts.Billed(v))
                yield return new RevenueLine(crm, region, billed.Currency, Month(billedAt.At), 0, 0, billed.Value);
    }

    private static IEnumerable<RevenueLine> Figures(Contracts.ContractView c, IReadOnlyDictionary<string, string> regions)
    {
        var (crm, region, currency) = (c.SourceCrm ?? "-", regions.GetValueOrDefault(c.QuoteId!, "-"), c.Currency ?? "-");
        foreach (var m in c.Movements)
        {
            var line = new RevenueLine(crm, region, currency, Month(m.Source.At), 0, 0, 0);
            yield return m.Kind switch
            {
                Contracts.ContractMovementKind.New => line with { New = m.Amount },
                Contracts.ContractMovementKind.Expansion => line with { Expansion = m.Amount },
                Contracts.ContractMovementKind.Contraction => line with { Contraction = m.Amount },
                Contracts.ContractMovementKind.Renewal => line with { Renewal = m.Amount },
                _ => line with { Churn = m.Amount },
            };
        }
    }

    private static string Month(Instant at) => MonthPattern.Format(new YearMonth(at.InUtc().Year, at.InUtc().Month));
}
