using Ledger.Domain.Reconciliation;
using Ledger.Projections.Quotes;
using Ledger.Projections.Reconciliation.Rules;

namespace Ledger.Projections.Reconciliation;

/// <summary>One reconciliation rule about a quote's way to cash: its catalogue entry and a pure condition over the quote's view.</summary>
public interface IQuoteRule
{
    DiscrepancyRule Rule { get; }

    /// <summary>What the rule finds true of the view now, or null.</summary>
    Finding? Find(QuoteReconciliation view);
}

/// <summary>The quote rules (one file each under <c>Rules/</c>), in the order their occurrences are kept in a view.</summary>
public static class QuoteRules
{
    public static readonly IReadOnlyList<IQuoteRule> All =
    [
        new AcceptedNotOrdered(), new OrderedNotHandedOff(), new BillingUnconfirmed(), new BillingFailed(), new BilledAmountMismatch(),
        new CrmStateStale(), new ApprovalStaleWhenSent(), new DuplicateInvoice(), new BilledWithoutOrder(), new BillingHandoffUnanswered(),
    ];

    public static readonly IReadOnlyCollection<DiscrepancyRule> Rules = All.Select(r => r.Rule).ToList();

    public static IReadOnlyList<Finding> Findings(QuoteReconciliation v) => All.Select(r => r.Find(v)).OfType<Finding>().ToList();
}
