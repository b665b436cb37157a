using Ledger.Domain.Reconciliation;
using Ledger.Projections.Common;
using Ledger.Projections.Quotes;

namespace Ledger.Projections.Reconciliation.Rules;

/// <summary>QTC-02: An order placed whose billing handoff was never requested (an amendment quote's order has none: its contract's change is billed).</summary>
public sealed class OrderedNotHandedOff : IQuoteRule
{
    public DiscrepancyRule Rule => DiscrepancyRules.OrderedNotHandedOff;

    public Finding? Find(QuoteReconciliation v)
    {
        // An amendment quote's order is billed as its contract's change (ADR/0021): the contract view watches that handoff.
        if (v.Order is { } placed && placed.Value.Progress == OrderProgress.Placed && v.Billing is null && v.AmendsContractId is null)
            return new Finding(Rule, placed.Source, [placed.Source], placed.Value.Accepted, null, $"Order {placed.Value.OrderId} placed; no billing handoff requested.");
        return null;
    }
}
