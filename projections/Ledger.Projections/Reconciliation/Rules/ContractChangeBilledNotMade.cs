using Ledger.Domain.Reconciliation;
using Ledger.Projections.Common;
using Ledger.Projections.Contracts;

namespace Ledger.Projections.Reconciliation.Rules;

/// <summary>
/// QTC-12: billing holds records for a change of the contract (an amendment, a renewal, a cancellation) that the ledger
/// never made: no change of that version was recorded, or no such contract was started. Void records do not count.
/// </summary>
public sealed class ContractChangeBilledNotMade : IContractRule
{
    public DiscrepancyRule Rule => DiscrepancyRules.ContractChangeBilledNotMade;

    public Finding? Find(ContractReconciliation v)
    {
        var unmade = v.BillingRecords
            .Where(r => r.Record.Status != Ledger.Domain.Reconciliation.BillingRecordStatus.Void && v.Changes.All(c => c.Version != r.ChangeVersion))
            .ToList();
        if (unmade.Count == 0) return null;
        var proof = QuoteFacts.Refs([.. unmade.Select(r => r.Record.Source)]);
        var billed = unmade.GroupBy(r => r.Record.Amount.Currency).Select(g => new Amount(g.Sum(r => Signed(r)), g.Key)).ToList();
        var versions = string.Join(", ", unmade.Select(r => $"v{r.ChangeVersion}").Distinct());
        return new Finding(Rule, proof[^1], proof, null, billed.Count == 1 ? billed[0] : null,
            v.QuoteId is null
                ? $"Billing holds records for contract {v.Id}, which the ledger never started ({versions})."
                : $"Billing holds records for change {versions} of contract {v.Id}, which the ledger never made.");
    }

    private static decimal Signed(ContractBillingRecordLine r) =>
        r.Record.Kind == Ledger.Domain.Reconciliation.BillingRecordKind.CreditNote ? -Math.Abs(r.Record.Amount.Value) : r.Record.Amount.Value;
}
