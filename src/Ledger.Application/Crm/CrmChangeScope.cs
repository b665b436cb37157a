using Ledger.Domain.Common;
using Ledger.Domain.Approvals;
using Ledger.Domain.Billing;
using Ledger.Domain.Orders;
using Ledger.Domain.Quotes;

namespace Ledger.Application.Crm;

/// <summary>The quote a change is about and the CRM that quote came from.</summary>
public sealed record QuoteOwner(string Crm, string QuoteId);

/// <summary>
/// Which CRM's quote an event changes (ADR/0020). Only a quote's draft and an order's placement name the CRM; every later
/// event names its quote or order, whose owner was remembered then. The log is read in order, so the naming event always
/// comes first.
/// </summary>
public static class CrmChangeScope
{
    /// <summary>What an event tells about owners: one to remember (the event names the CRM), one to look up, or none (not a quote's change).</summary>
    [Closed]
    public abstract record Scope
    {
        private Scope() { }

        /// <summary>The event names the owner: remember it under <paramref name="Key"/> for the events that follow.</summary>
        public sealed record Names(string Key, QuoteOwner Owner) : Scope;

        /// <summary>The owner was named by an earlier event under <paramref name="Key"/>.</summary>
        public sealed record LookUp(string Key) : Scope;

        /// <summary>Catalog, policy, customers, reconciliation: no CRM's quote changes.</summary>
        public sealed record None : Scope;
    }

    public static Scope Of(object @event) => @event switch
    {
        QuoteDrafted e => new Scope.Names(QuoteKey(e.QuoteId), new QuoteOwner(e.SourceCrm, e.QuoteId)),
        QuoteEvent e => new Scope.LookUp(QuoteKey(e.QuoteId)),
        ApprovalEvent e when Ledger.Domain.Contracts.ContractDecider.IsContractId(e.QuoteId) => new Scope.None(), // a contract amendment's approval
        ApprovalEvent e => new Scope.LookUp(QuoteKey(e.QuoteId)),
        // An amendment quote's order notes its contract just before it is placed (ADR/0021): the placing is the CRM's change.
        OrderAmendsContract => new Scope.None(),
        OrderPlaced e => new Scope.Names(OrderKey(e.OrderId), new QuoteOwner(e.Quote.SourceCrm, e.Quote.QuoteId)),
        OrderEvent e => new Scope.LookUp(OrderKey(e.OrderId)),
        // A contract change's billing is no quote's change (ADR/0021): no CRM is told of it through the quote feed.
        BillingEvent e when Ledger.Domain.Contracts.ContractDecider.IsContractBillingHandoff(e.OrderId) => new Scope.None(),
        BillingEvent e => new Scope.LookUp(OrderKey(e.OrderId)),
        _ => new Scope.None(),
    };

    private static string QuoteKey(string quoteId) => $"quote:{quoteId}";

    private static string OrderKey(string orderId) => $"order:{orderId}";
}
