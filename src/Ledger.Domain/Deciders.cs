using Ledger.Domain.Approvals;
using Ledger.Domain.Billing;
using Ledger.Domain.Catalog;
using Ledger.Domain.Common;
using Ledger.Domain.Contracts;
using Ledger.Domain.Customers;
using Ledger.Domain.Opportunities;
using Ledger.Domain.Orders;
using Ledger.Domain.Quotes;
using Ledger.Domain.Reconciliation;

namespace Ledger.Domain;

/// <summary>
/// Every stream's decider in the uniform shape; the static deciders stay the place the rules live. Each says when its
/// stream exists and what a command that needs it answers when it does not (commands that start a stream are
/// <see cref="IStartsStream"/>); streams any command may start say nothing.
/// </summary>
public static class Deciders
{
    public static readonly Decider<QuoteCommand, QuoteEvent, QuoteState> Quote =
        new(QuoteState.Initial, QuoteDecider.Evolve, QuoteDecider.Decide, s => s.Status != QuoteStatus.None,
            c => new Refusal(RefusalKind.NotFound, "quote.not-found", $"Quote {c.QuoteId} has not been drafted.", "quoteId"));

    public static readonly Decider<ApprovalCommand, ApprovalEvent, ApprovalState> Approval =
        new(ApprovalState.Initial, ApprovalDecider.Evolve, ApprovalDecider.Decide, s => s.Status != ApprovalStatus.None,
            c => new Refusal(RefusalKind.NotFound, "approval.not-found", $"Revision {c.Revision} of quote {c.QuoteId} has no approval request."));

    public static readonly Decider<OrderCommand, OrderEvent, OrderState> Order =
        new(OrderState.Initial, OrderDecider.Evolve, OrderDecider.Decide, s => s.Status != OrderStatus.None,
            c => new Refusal(RefusalKind.NotFound, "order.not-found", $"Order {c.OrderId} has not been placed.", "orderId"));

    public static readonly Decider<BillingCommand, BillingEvent, BillingState> Billing =
        new(BillingState.Initial, BillingDecider.Evolve, BillingDecider.Decide, s => s.Status != BillingStatus.None,
            c => new Refusal(RefusalKind.NotFound, "billing.not-requested", $"Order {c.OrderId} has no billing handoff.", "orderId"));

    public static readonly Decider<ContractCommand, ContractEvent, ContractState> Contract =
        new(ContractState.Initial, ContractDecider.Evolve, ContractDecider.Decide, s => s.Status != ContractStatus.None,
            c => new Refusal(RefusalKind.NotFound, "contract.not-found", $"Contract {c.ContractId} has not been started.", "contractId"));

    public static readonly Decider<CustomerCommand, CustomerEvent, CustomerState> Customer =
        new(CustomerState.Initial, CustomerDecider.Evolve, CustomerDecider.Decide, s => s.Status != CustomerStatus.None,
            c => new Refusal(RefusalKind.NotFound, "customer.not-found", $"Customer {c.CustomerId} is not registered.", "customerId"));

    public static readonly Decider<CrmAccountCommand, CrmAccountEvent, CrmAccountState> CrmAccount =
        new(CrmAccountState.Initial, CrmAccountDecider.Evolve, CrmAccountDecider.Decide, _ => true, null);

    public static readonly Decider<CrmOpportunityCommand, CrmOpportunityEvent, CrmOpportunityState> CrmOpportunity =
        new(CrmOpportunityState.Initial, CrmOpportunityDecider.Evolve, CrmOpportunityDecider.Decide, _ => true, null);

    public static readonly Decider<ApproverRegistryCommand, ApproverRegistryEvent, ApproverRegistryState> Approvers =
        new(ApproverRegistryState.Initial, ApproverRegistryDecider.Evolve, ApproverRegistryDecider.Decide, _ => true, null);

    public static readonly Decider<PublishCatalogVersion, CatalogEvent, CatalogState> Catalog =
        new(CatalogState.Initial, CatalogDecider.Evolve, CatalogDecider.Decide, _ => true, null);

    public static readonly Decider<PublishPricingPolicy, PricingPolicyEvent, PricingPolicyState> PricingPolicy =
        new(PricingPolicyState.Initial, PricingPolicyDecider.Evolve, PricingPolicyDecider.Decide, _ => true, null);

    public static readonly Decider<ReportedFactCommand, ReportedFactEvent, ReportedFactState> ReportedFact =
        new(ReportedFactState.Initial, ReportedFactDecider.Evolve, ReportedFactDecider.Decide, _ => true, null);

    public static readonly Decider<DiscrepancyCommand, DiscrepancyEvent, DiscrepancyClearingState> DiscrepancyClearing =
        new(DiscrepancyClearingState.Initial, DiscrepancyClearingDecider.Evolve, DiscrepancyClearingDecider.Decide, _ => true, null);
}
