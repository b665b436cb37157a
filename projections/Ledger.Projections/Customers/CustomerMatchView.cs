using Ledger.Projections.Common;
using Ledger.Projections.Reconciliation;

namespace Ledger.Projections.Customers;

/// <summary>A canonical customer as the duplicate check sees it: its names for matching, its CRMs, and whether it was merged away.</summary>
public sealed record MatchedCustomer(string CustomerId, string Name, string? WebDomain, IReadOnlyList<string> Crms, EventRef Registered, EventRef? MergedBy);

/// <summary>
/// The canonical customers that share one match key (<c>name:acme</c> or <c>domain:acme.com</c>): two or more
/// active ones are likely one company known under different canonical ids (QTC-07).
/// </summary>
public sealed class CustomerMatchView
{
    public string Id { get; set; } = "";
    public List<MatchedCustomer> Customers { get; set; } = [];
    public List<Discrepancy> Discrepancies { get; set; } = [];
    public EventRef? Through { get; set; }
}
