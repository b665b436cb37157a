using Ledger.Domain.Reconciliation;
using Ledger.Projections.Contracts;
using Ledger.Projections.Quotes;

namespace Ledger.Projections.Reconciliation.Rules;

/// <summary>
/// QTC-14: the contract's CRM shows changes the ledger did not make, or lacks changes it made (ADR/0021): the latest
/// report of the contract's own CRM against the ledger's amendments, renewals and cancellation, by version and kind. Its
/// SLA runs from the latest of the report and the ledger's changes, so either side catching up in time shows nothing.
/// </summary>
public sealed class ContractChangesCrmMismatch : IContractRule
{
    public DiscrepancyRule Rule => DiscrepancyRules.ContractChangesCrmMismatch;

    public Finding? Find(ContractReconciliation v)
    {
        if (v.SourceCrm is not { } crm || v.CrmReports.FirstOrDefault(r => r.Crm == crm) is not { } report) return null;
        var made = v.ChangesMade.Select(c => new CrmContractChange(c.Version, c.Kind)).ToHashSet();
        var shown = report.Changes.ToHashSet();
        var notMade = report.Changes.Where(c => !made.Contains(c)).OrderBy(c => c.Version).ToList();
        var notShown = v.ChangesMade.Where(c => !shown.Contains(new CrmContractChange(c.Version, c.Kind))).ToList();
        if (notMade.Count == 0 && notShown.Count == 0) return null;
        // The report, the ledger's changes it disagrees with, and the ledger's latest change (the CRM's clock runs from it).
        var proof = QuoteFacts.Refs([report.Source, .. notShown.Select(c => c.Source),
            .. v.ChangesMade.Where(c => notMade.Any(n => n.Version == c.Version)).Select(c => c.Source), v.ChangesMade.LastOrDefault()?.Source]);
        var parts = new List<string>();
        if (notMade.Count > 0) parts.Add($"{crm} shows {Describe(notMade.Select(c => (c.Version, c.Kind)))} the ledger did not make");
        if (notShown.Count > 0) parts.Add($"the ledger's {Describe(notShown.Select(c => (c.Version, c.Kind)))} {(notShown.Count == 1 ? "is" : "are")} not in {crm}");
        return new Finding(Rule, proof[^1], proof, null, null, string.Join("; ", parts) + ".");
    }

    private static string Describe(IEnumerable<(int Version, Ledger.Domain.Billing.ContractChangeKind Kind)> changes) =>
        string.Join(", ", changes.Select(c => $"v{c.Version} {c.Kind.ToString().ToLowerInvariant()}"));
}
