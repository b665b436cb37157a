using Ledger.Domain.Reconciliation;
using Ledger.Projections.Customers;
using Ledger.Projections.Quotes;
using Marten;
using NodaTime;

namespace Ledger.Projections.Reconciliation;

/// <summary>
/// Which discrepancies to list. Status "open" means Open or Acknowledged (finance's to-do list); "all" includes history.
/// <paramref name="AsOf"/>: the list as it stood at that instant (opened, cleared and overdue by then), instead of now.
/// </summary>
public sealed record DiscrepancyFilter(string Status = "open", string? Rule = null, string? Crm = null, string? Owner = null, Duration? MinAge = null,
    Instant? AsOf = null);

/// <summary>A discrepancy as finance reads it: the stored occurrence with what only the clock can tell (detected-at, age, status).</summary>
public sealed record DiscrepancyRow(
    string Id, string Rule, string RuleName, Severity Severity, string Owner, DiscrepancyStatus Status, string Subject, IReadOnlyList<string> Crms,
    Instant DetectedAt, Duration Age, Common.Amount? Expected, Common.Amount? Actual, string Detail, IReadOnlyList<Common.EventRef> Evidence,
    Common.EventRef? ClosedBy, Common.EventRef? AcknowledgedBy, Common.EventRef? ResolvedBy, string? ResolvedByWhom, string? Resolution);

public sealed record DiscrepancyPage(IReadOnlyList<DiscrepancyRow> Items, int Total, int Page, int PageSize, Instant AsOf);

/// <summary>
/// Reads the discrepancy view: the occurrences kept in the quote and customer-match views, with the SLA rules
/// evaluated against the clock now (ADR/0014). Oldest first, so the list reads as a queue.
/// </summary>
public sealed class DiscrepancyQuery(IDocumentStore store, IClock clock, ReconciliationSlas slas)
{
    public async Task<DiscrepancyPage> ListAsync(DiscrepancyFilter filter, int page, int pageSize, CancellationToken ct)
    {
        var now = filter.AsOf ?? clock.GetCurrentInstant();
        var rows = (await AllAsync(now, filter.AsOf is not null, ct)).Where(r => Matches(r, filter)).ToList();
        return new DiscrepancyPage(rows.Skip((page - 1) * pageSize).Take(pageSize).ToList(), rows.Count, page, pageSize, now);
    }

    public async Task<DiscrepancyRow?> FindAsync(DiscrepancyId id, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        await using var session = store.QuerySession();
        var book = id.Rule == DiscrepancyRules.DuplicateCustomer.Code
            ? (await session.LoadAsync<CustomerMatchView>(id.Subject, ct))?.Discrepancies
            : ContractRules.Rules.Any(r => r.Code == id.Rule)
                ? (await session.LoadAsync<Contracts.ContractView>(id.Subject, ct))?.Discrepancies
                : (await session.LoadAsync<QuoteView>(id.Subject, ct))?.Discrepancies;
        return book?.FirstOrDefault(d => d.Id == id.ToString()) is { } d && Row(d, now) is { } row ? row : null;
    }

    private async Task<List<DiscrepancyRow>> AllAsync(Instant now, bool asOf, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var quotes = await session.Query<QuoteView>().Where(x => x.Discrepancies.Any()).ToListAsync(ct);
        var customers = await session.Query<CustomerMatchView>().Where(x => x.Discrepancies.Any()).ToListAsync(ct);
        var contracts = await session.Query<Contracts.ContractView>().Where(x => x.Discrepancies.Any()).ToListAsync(ct);
        return quotes.SelectMany(q => q.Discrepancies).Concat(customers.SelectMany(c => c.Discrepancies)).Concat(contracts.SelectMany(c => c.Discrepancies))
            .Select(d => asOf ? d.AsOf(now) : d).OfType<Discrepancy>()
            .Select(d => Row(d, now)).OfType<DiscrepancyRow>()
            .OrderBy(r => r.DetectedAt).ThenBy(r => r.Id, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Null for an SLA occurrence whose time has not run out, or whose cause went away in time: not a discrepancy.</summary>
    private DiscrepancyRow? Row(Discrepancy d, Instant now)
    {
        var sla = slas.For(d.Rule);
        if (!d.IsDiscrepancyAt(now, sla)) return null;
        var detected = d.DetectedAt(sla);
        var end = d.ResolvedBy?.At ?? d.ClosedBy?.At;
        return new DiscrepancyRow(d.Id, d.Rule, d.RuleName, d.Severity, d.Owner, d.Status, d.Subject, d.Crms, detected,
            (end is { } e && e < now ? e : now) - detected, d.Expected, d.Actual, d.Detail, d.Evidence, d.ClosedBy, d.AcknowledgedBy, d.ResolvedBy,
            d.ResolvedByWhom, d.Resolution);
    }

    private static bool Matches(DiscrepancyRow r, DiscrepancyFilter f) =>
        f.Status switch
        {
            "open" => r.Status is DiscrepancyStatus.Open or DiscrepancyStatus.Acknowledged,
            "all" => true,
            var s => string.Equals(r.Status.ToString(), s, StringComparison.OrdinalIgnoreCase),
        }
        && (f.Rule is null || r.Rule == f.Rule || r.RuleName == f.Rule)
        && (f.Crm is null || r.Crms.Contains(f.Crm))
        && (f.Owner is null || r.Owner == f.Owner)
        && (f.MinAge is null || r.Age >= f.MinAge);
}

/// <summary>The SLA of each time rule: the catalogue's default unless configuration says otherwise. Changing one needs no rebuild.</summary>
public sealed class ReconciliationSlas(IReadOnlyDictionary<string, Duration> overrides)
{
    public static readonly ReconciliationSlas Defaults = new(new Dictionary<string, Duration>());

    public Duration? For(string rule) => overrides.TryGetValue(rule, out var d) ? d : DiscrepancyRules.Find(rule)?.Sla;
}
