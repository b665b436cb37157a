using Ledger.Projections.Common;
using Ledger.Projections.Quotes;
using Ledger.Projections.Reconciliation;
using Marten;
using NodaTime;
using NodaTime.Text;

namespace Ledger.Projections.Revenue;

/// <summary>Accepted, ordered and billed totals of one CRM, region and currency in one month (UTC) of the event that counted.</summary>
public sealed record RevenueLine(string Crm, string Region, string Currency, string Month, decimal Accepted, decimal Ordered, decimal Billed);

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

        var figures = views.SelectMany(v => Figures(v));
        return figures
            .GroupBy(f => (f.Crm, f.Region, f.Currency, f.Month))
            .Select(g => new RevenueLine(g.Key.Crm, g.Key.Region, g.Key.Currency, g.Key.Month,
                g.Sum(f => f.Accepted), g.Sum(f => f.Ordered), g.Sum(f => f.Billed)))
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

    private static string Month(Instant at) => MonthPattern.Format(new YearMonth(at.InUtc().Year, at.InUtc().Month));
}
