using Ledger.Domain.Reconciliation;
using Ledger.Projections.Common;
using Ledger.Projections.Contracts;
using Ledger.Projections.Quotes;
using Ledger.Projections.Reconciliation.Rules;

namespace Ledger.Projections.Reconciliation;

/// <summary>One reconciliation rule about a contract (ADR/0021): a pure condition over reconciliation's model of the contract (ADR/0029).</summary>
public interface IContractRule
{
    DiscrepancyRule Rule { get; }

    Finding? Find(ContractReconciliation view);
}

/// <summary>The rules over reconciliation's contract model (one file each under <c>Rules/</c>; a billing rule's file holds its quote and its contract condition).</summary>
public static class ContractRules
{
    /// <summary>The contract's own rules, then the billing rules that watch an order's handoff and, here, each change's (QTC-03/04/11).</summary>
    public static readonly IReadOnlyList<IContractRule> All =
        [new ContractChangeBilledNotMade(), new ContractBilledAmountMismatch(), new BillingUnconfirmed(), new BillingFailed(), new BillingHandoffUnanswered(),
         new ContractChangesCrmMismatch()];

    public static readonly IReadOnlyCollection<DiscrepancyRule> Rules = All.Select(r => r.Rule).ToList();

    public static IReadOnlyList<Finding> Findings(ContractReconciliation v) => All.Select(r => r.Find(v)).OfType<Finding>().ToList();

    /// <summary>
    /// The changes whose handoff is at <paramref name="progress"/>, as one finding: the oldest one's event triggers it (an
    /// SLA runs from it), each one's is proof, the amounts are their sum. Null when none is.
    /// </summary>
    public static Finding? ChangesAt(ContractReconciliation v, BillingProgress progress, DiscrepancyRule rule, string what)
    {
        var at = v.Changes.Where(c => c.Billing?.Value == progress).OrderBy(c => c.Billing!.Source.Position).ToList();
        if (at.Count == 0) return null;
        var proof = QuoteFacts.Refs([.. at.SelectMany(c => new[] { c.Source, c.Billing!.Source })]);
        return new Finding(rule, at[0].Billing!.Source, proof, new Amount(at.Sum(c => c.Expected.Value), v.Currency ?? ""), null,
            string.Join("; ", at.Select(c => $"v{c.Version} {c.Kind.ToString().ToLowerInvariant()} ({c.HandoffId}, {c.Expected})")) + $": {what}");
    }
}
