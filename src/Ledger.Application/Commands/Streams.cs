using Ledger.Domain;
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
using Ledger.EventStore;

namespace Ledger.Application.Commands;

/// <summary>One stream: its name in the store and the decider that rules it.</summary>
public sealed record Stream<TCommand, TEvent, TState>(string Id, Decider<TCommand, TEvent, TState> Decider) where TEvent : class
{
    /// <summary>
    /// Moves <paramref name="state"/> on by stored events: the one way a recorded event becomes state. An event that is not
    /// this stream's (another tool's, or data that does not read) stops it with <see cref="UnreadableEventException"/>:
    /// nothing is decided on a history the ledger cannot read.
    /// </summary>
    public TState Fold(TState state, IEnumerable<RecordedEvent> events, EventSerializer serializer)
    {
        foreach (var recorded in events)
            state = serializer.Read(recorded) is TEvent e
                ? Decider.Evolve(state, e)
                : throw new UnreadableEventException(recorded, $"a ledger event, but not one of {Id}'s");
        return state;
    }
}

/// <summary>Every stream the ledger writes, from the id a caller knows: the one place an id becomes a stream name and a decider.</summary>
public static class Streams
{
    public static Stream<QuoteCommand, QuoteEvent, QuoteState> Quote(QuoteId quoteId) => new(QuoteDecider.StreamId(quoteId), Deciders.Quote);

    /// <summary>An approval of a quote's revision, or of a direct amendment's contract version: its subject is either id.</summary>
    public static Stream<ApprovalCommand, ApprovalEvent, ApprovalState> Approval(string subjectId, int revision) =>
        new(ApprovalDecider.StreamId(subjectId, revision), Deciders.Approval);

    public static Stream<OrderCommand, OrderEvent, OrderState> Order(OrderId orderId) => new(OrderDecider.StreamId(orderId), Deciders.Order);

    /// <summary>A billing handoff: an order's (its id), or a contract change's (<c>ctr-Q-1001-v2</c>), so its id is either.</summary>
    public static Stream<BillingCommand, BillingEvent, BillingState> Billing(string handoffId) => new(BillingDecider.StreamId(handoffId), Deciders.Billing);

    public static Stream<ContractCommand, ContractEvent, ContractState> Contract(ContractId contractId) =>
        new(ContractDecider.StreamId(contractId), Deciders.Contract);

    public static Stream<CustomerCommand, CustomerEvent, CustomerState> Customer(CustomerId customerId) =>
        new(CustomerDecider.StreamId(customerId), Deciders.Customer);

    public static Stream<CrmAccountCommand, CrmAccountEvent, CrmAccountState> CrmAccount(string crm, string accountId) =>
        new(CrmAccountDecider.StreamId(crm, accountId), Deciders.CrmAccount);

    public static Stream<CrmOpportunityCommand, CrmOpportunityEvent, CrmOpportunityState> CrmOpportunity(string crm, string opportunityId) =>
        new(CrmOpportunityDecider.StreamId(crm, opportunityId), Deciders.CrmOpportunity);

    public static Stream<ApproverRegistryCommand, ApproverRegistryEvent, ApproverRegistryState> Approvers { get; } =
        new(ApproverRegistryDecider.StreamId, Deciders.Approvers);

    public static Stream<PublishCatalogVersion, CatalogEvent, CatalogState> Catalog { get; } = new(CatalogDecider.StreamId, Deciders.Catalog);

    public static Stream<PublishPricingPolicy, PricingPolicyEvent, PricingPolicyState> PricingPolicy { get; } =
        new(PricingPolicyDecider.StreamId, Deciders.PricingPolicy);

    public static Stream<ReportedFactCommand, ReportedFactEvent, ReportedFactState> CrmQuoteReport(string crm, QuoteId quoteId) =>
        new(ReportedFactDecider.CrmQuoteStreamId(crm, quoteId), Deciders.ReportedFact);

    public static Stream<ReportedFactCommand, ReportedFactEvent, ReportedFactState> CrmContractReport(string crm, ContractId contractId) =>
        new(ReportedFactDecider.CrmContractStreamId(crm, contractId), Deciders.ReportedFact);

    public static Stream<ReportedFactCommand, ReportedFactEvent, ReportedFactState> BillingRecord(string recordId) =>
        new(ReportedFactDecider.BillingRecordStreamId(recordId), Deciders.ReportedFact);

    public static Stream<DiscrepancyCommand, DiscrepancyEvent, DiscrepancyClearingState> DiscrepancyClearing(DiscrepancyId discrepancyId) =>
        new(DiscrepancyClearingDecider.StreamId(discrepancyId), Deciders.DiscrepancyClearing);
}
