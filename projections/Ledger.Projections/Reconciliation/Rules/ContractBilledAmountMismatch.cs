using Ledger.Domain.Reconciliation;
using Ledger.Projections.Common;
using Ledger.Projections.Contracts;

namespace Ledger.Projections.Reconciliation.Rules;

/// <summary>
/// QTC-13: what billing holds for the contract's changes differs from what the changes of its lines handed off: per
/// change, the live records billing reported under its handoff id (credit notes subtract) or else its acknowledgement,
/// against the prorated amount the change recorded. Changes billing has not answered yet are not compared.
/// </summary>
public sealed class ContractBilledAmountMismatch : IContractRule
{
    public DiscrepancyRule Rule => DiscrepancyRules.ContractBilledAmountMismatch;

    public Finding? Find(ContractReconciliation v)
    {
        var compared = v.Changes.Select(c => (Change: c, Billed: Billed(v, c))).Where(x => x.Billed is not null).ToList();
        var off = compared.Where(x => x.Billed!.Value.Amount != x.Change.Expected).ToList();
        if (off.Count == 0) return null;
        var proof = QuoteFacts.Refs([.. off.SelectMany(x => x.Billed!.Value.Proof.Prepend(x.Change.Source))]);
        var currency = v.Currency ?? "";
        var expected = new Amount(off.Sum(x => x.Change.Expected.Value), currency);
        var actual = off.All(x => x.Billed!.Value.Amount.Currency == currency) ? new Amount(off.Sum(x => x.Billed!.Value.Amount.Value), currency) : null;
        return new Finding(Rule, proof[^1], proof, expected, actual,
            string.Join("; ", off.Select(x => $"v{x.Change.Version} {x.Change.Kind.ToString().ToLowerInvariant()}: handed off {x.Change.Expected}, billed {x.Billed!.Value.Amount}")) + ".");
    }

    private static (Amount Amount, IReadOnlyList<EventRef> Proof)? Billed(ContractReconciliation v, ContractChangeLine change)
    {
        var live = v.BillingRecords.Where(r => r.ChangeVersion == change.Version && r.Record.Status != BillingRecordStatus.Void).ToList();
        if (live.Count > 0)
            return (new Amount(live.Sum(r => r.Record.Kind == BillingRecordKind.CreditNote ? -Math.Abs(r.Record.Amount.Value) : r.Record.Amount.Value),
                live[0].Record.Amount.Currency), live.Select(r => r.Record.Source).ToList());
        return change.Acknowledged is { } ack ? (ack, [change.AcknowledgedBy!]) : null;
    }
}
