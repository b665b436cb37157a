using Ledger.Domain.Approvals;
using Ledger.Domain.Billing;
using Ledger.Domain.Catalog;
using Ledger.Domain.Common;
using Ledger.Domain.Customers;
using Ledger.Domain.Orders;
using Ledger.Domain.Quotes;
using Ledger.Domain.Reconciliation;

namespace Ledger.Domain;

/// <summary>Every stream's decider in the uniform shape; the static deciders stay the place the rules live.</summary>
public static class Deciders
{
    public static readonly Decider<QuoteCommand, QuoteEvent, QuoteState> Quote =
        new(QuoteState.Initial, QuoteDecider.Evolve, QuoteDecider.Decide);

    public static readonly Decider<ApprovalCommand, ApprovalEvent, ApprovalState> Approval =
        new(ApprovalState.Initial, ApprovalDecider.Evolve, ApprovalDecider.Decide);

    public static readonly Decider<OrderCommand, OrderEvent, OrderState> Order =
        new(OrderState.Initial, OrderDecider.Evolve, OrderDecider.Decide);

    public static readonly Decider<BillingCommand, BillingEvent, BillingState> Billing =
        new(BillingState.Initial, BillingDecider.Evolve, BillingDecider.Decide);

    public static readonly Decider<CustomerCommand, CustomerEvent, CustomerState> Customer =
        new(CustomerState.Initial, CustomerDecider.Evolve, CustomerDecider.Decide);

    public static readonly Decider<CrmAccountCommand, CrmAccountEvent, CrmAccountState> CrmAccount =
        new(CrmAccountState.Initial, CrmAccountDecider.Evolve, CrmAccountDecider.Decide);

    public static readonly Decider<PublishCatalogVersion, CatalogEvent, CatalogState> Catalog =
        new(CatalogState.Initial, CatalogDecider.Evolve, CatalogDecider.Decide);

    public static readonly Decider<PublishPricingPolicy, PricingPolicyEvent, PricingPolicyState> PricingPolicy =
        new(PricingPolicyState.Initial, PricingPolicyDecider.Evolve, PricingPolicyDecider.Decide);

    public static readonly Decider<ReportedFactCommand, ReportedFactEvent, ReportedFactState> ReportedFact =
        new(ReportedFactState.Initial, ReportedFactDecider.Evolve, ReportedFactDecider.Decide);

    public static readonly Decider<DiscrepancyCommand, DiscrepancyEvent, DiscrepancyClearingState> DiscrepancyClearing =
        new(DiscrepancyClearingState.Initial, DiscrepancyClearingDecider.Evolve, DiscrepancyClearingDecider.Decide);
}
