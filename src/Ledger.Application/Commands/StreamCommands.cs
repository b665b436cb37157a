using Ledger.Domain;
using Ledger.Domain.Approvals;
using Ledger.Domain.Billing;
using Ledger.Domain.Catalog;
using Ledger.Domain.Customers;
using Ledger.Domain.Orders;
using Ledger.Domain.Common;
using Ledger.Domain.Quotes;
using Ledger.Domain.Reconciliation;

namespace Ledger.Application.Commands;

/// <summary>
/// Each stream's decider on the one command path: <c>Send</c> decides and appends; <c>Load</c> folds a stream to
/// read facts another stream's command needs (a catalog offering, a quote's fingerprint).
/// </summary>
public sealed class StreamCommands(CommandExecutor executor)
{
    public Task<CommandResult> Send(QuoteCommand c, CommandMetadata m, CancellationToken ct) =>
        executor.ExecuteAsync(QuoteDecider.StreamId(c.QuoteId), Deciders.Quote, c, m, ct);

    public Task<CommandResult> Send(ApprovalCommand c, CommandMetadata m, CancellationToken ct) =>
        executor.ExecuteAsync(ApprovalDecider.StreamId(c.QuoteId, c.Revision), Deciders.Approval, c, m, ct);

    public Task<CommandResult> Send(OrderCommand c, CommandMetadata m, CancellationToken ct) =>
        executor.ExecuteAsync(OrderDecider.StreamId(c.OrderId), Deciders.Order, c, m, ct);

    public Task<CommandResult> Send(BillingCommand c, CommandMetadata m, CancellationToken ct) =>
        executor.ExecuteAsync(BillingDecider.StreamId(c.OrderId), Deciders.Billing, c, m, ct);

    public Task<CommandResult> Send(CustomerCommand c, CommandMetadata m, CancellationToken ct) =>
        executor.ExecuteAsync(CustomerDecider.StreamId(c.CustomerId), Deciders.Customer, c, m, ct);

    public Task<CommandResult> Send(CrmAccountCommand c, CommandMetadata m, CancellationToken ct) =>
        executor.ExecuteAsync(CrmAccountDecider.StreamId(c.Crm, c.AccountId), Deciders.CrmAccount, c, m, ct);

    public Task<CommandResult> Send(PublishCatalogVersion c, CommandMetadata m, CancellationToken ct) =>
        executor.ExecuteAsync(CatalogDecider.StreamId, Deciders.Catalog, c, m, ct);

    public Task<CommandResult> Send(PublishPricingPolicy c, CommandMetadata m, CancellationToken ct) =>
        executor.ExecuteAsync(PricingPolicyDecider.StreamId, Deciders.PricingPolicy, c, m, ct);

    public Task<CommandResult> Send(ReportedFactCommand c, CommandMetadata m, CancellationToken ct) =>
        executor.ExecuteAsync(StreamOf(c), Deciders.ReportedFact, c, m, ct);

    public Task<Refusal?> Check(ReportedFactCommand c, CancellationToken ct) =>
        executor.CheckAsync(StreamOf(c), Deciders.ReportedFact, c, ct);

    public Task<CommandResult> Send(DiscrepancyCommand c, CommandMetadata m, CancellationToken ct) =>
        executor.ExecuteAsync(DiscrepancyClearingDecider.StreamId(c.Id), Deciders.DiscrepancyClearing, c, m, ct);

    private static string StreamOf(ReportedFactCommand c) => c switch
    {
        ReportCrmQuoteState r => ReportedFactDecider.CrmQuoteStreamId(r.Crm, r.QuoteId),
        ReportBillingRecord r => ReportedFactDecider.BillingRecordStreamId(r.RecordId),
        _ => throw new ArgumentOutOfRangeException(nameof(c), c.GetType().Name, "Unknown report."),
    };

    public async Task<QuoteState> LoadQuote(string quoteId, CancellationToken ct) =>
        (await executor.LoadAsync(QuoteDecider.StreamId(quoteId), Deciders.Quote, ct)).State;

    public async Task<ApprovalState> LoadApproval(string quoteId, int revision, CancellationToken ct) =>
        (await executor.LoadAsync(ApprovalDecider.StreamId(quoteId, revision), Deciders.Approval, ct)).State;

    public async Task<OrderState> LoadOrder(string orderId, CancellationToken ct) =>
        (await executor.LoadAsync(OrderDecider.StreamId(orderId), Deciders.Order, ct)).State;

    public async Task<BillingState> LoadBilling(string orderId, CancellationToken ct) =>
        (await executor.LoadAsync(BillingDecider.StreamId(orderId), Deciders.Billing, ct)).State;

    public async Task<CustomerState> LoadCustomer(string customerId, CancellationToken ct) =>
        (await executor.LoadAsync(CustomerDecider.StreamId(customerId), Deciders.Customer, ct)).State;

    public async Task<CatalogState> LoadCatalog(CancellationToken ct) =>
        (await executor.LoadAsync(CatalogDecider.StreamId, Deciders.Catalog, ct)).State;

    public async Task<PricingPolicyState> LoadPolicies(CancellationToken ct) =>
        (await executor.LoadAsync(PricingPolicyDecider.StreamId, Deciders.PricingPolicy, ct)).State;
}
