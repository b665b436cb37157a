using Ledger.Domain.Approvals;
using Ledger.Domain.Billing;
using Ledger.Domain.Catalog;
using Ledger.Domain.Common;
using Ledger.Domain.Customers;
using Ledger.Domain.Orders;
using Ledger.Domain.Quotes;

namespace Ledger.Application.Commands;

/// <summary>
/// Each stream's decider on the one command path: <c>Send</c> decides and appends; <c>Load</c> folds a stream to
/// read facts another stream's command needs (a catalog offering, a quote's fingerprint).
/// </summary>
public sealed class StreamCommands(CommandExecutor executor)
{
    private static readonly StreamFold<QuoteState, QuoteEvent> Quote = new(QuoteDecider.Initial, QuoteDecider.Evolve);
    private static readonly StreamFold<ApprovalState, ApprovalEvent> Approval = new(ApprovalDecider.Initial, ApprovalDecider.Evolve);
    private static readonly StreamFold<OrderState, OrderEvent> Order = new(OrderDecider.Initial, OrderDecider.Evolve);
    private static readonly StreamFold<BillingState, BillingEvent> Billing = new(BillingDecider.Initial, BillingDecider.Evolve);
    private static readonly StreamFold<CustomerState, CustomerEvent> Customer = new(CustomerDecider.Initial, CustomerDecider.Evolve);
    private static readonly StreamFold<CrmAccountState, CrmAccountEvent> CrmAccount = new(CrmAccountDecider.Initial, CrmAccountDecider.Evolve);
    private static readonly StreamFold<CatalogState, CatalogEvent> Catalog = new(CatalogState.Initial, CatalogDecider.Evolve);
    private static readonly StreamFold<PricingPolicyState, PricingPolicyEvent> Policy = new(PricingPolicyState.Initial, PricingPolicyDecider.Evolve);

    public Task<CommandResult> Send(QuoteCommand c, CommandMetadata m, CancellationToken ct) =>
        executor.ExecuteAsync(QuoteDecider.StreamId(c.QuoteId), Quote, (s, now) => QuoteDecider.Decide(c, s, now), m, ct);

    public Task<CommandResult> Send(ApprovalCommand c, CommandMetadata m, CancellationToken ct) =>
        executor.ExecuteAsync(ApprovalDecider.StreamId(c.QuoteId, c.Revision), Approval, (s, now) => ApprovalDecider.Decide(c, s, now), m, ct);

    public Task<CommandResult> Send(OrderCommand c, CommandMetadata m, CancellationToken ct) =>
        executor.ExecuteAsync(OrderDecider.StreamId(c.OrderId), Order, (s, now) => OrderDecider.Decide(c, s, now), m, ct);

    public Task<CommandResult> Send(BillingCommand c, CommandMetadata m, CancellationToken ct) =>
        executor.ExecuteAsync(BillingDecider.StreamId(c.OrderId), Billing, (s, now) => BillingDecider.Decide(c, s, now), m, ct);

    public Task<CommandResult> Send(CustomerCommand c, CommandMetadata m, CancellationToken ct) =>
        executor.ExecuteAsync(CustomerDecider.StreamId(c.CustomerId), Customer, (s, now) => CustomerDecider.Decide(c, s, now), m, ct);

    public Task<CommandResult> Send(CrmAccountCommand c, CommandMetadata m, CancellationToken ct) =>
        executor.ExecuteAsync(CrmAccountDecider.StreamId(c.Crm, c.AccountId), CrmAccount, (s, now) => CrmAccountDecider.Decide(c, s, now), m, ct);

    public Task<CommandResult> Send(PublishCatalogVersion c, CommandMetadata m, CancellationToken ct) =>
        executor.ExecuteAsync(CatalogDecider.StreamId, Catalog, (s, now) => CatalogDecider.Decide(c, s, now), m, ct);

    public Task<CommandResult> Send(PublishPricingPolicy c, CommandMetadata m, CancellationToken ct) =>
        executor.ExecuteAsync(PricingPolicyDecider.StreamId, Policy, (s, now) => PricingPolicyDecider.Decide(c, s, now), m, ct);

    public async Task<QuoteState> LoadQuote(string quoteId, CancellationToken ct) =>
        (await executor.LoadAsync(QuoteDecider.StreamId(quoteId), Quote, ct)).State;

    public async Task<ApprovalState> LoadApproval(string quoteId, int revision, CancellationToken ct) =>
        (await executor.LoadAsync(ApprovalDecider.StreamId(quoteId, revision), Approval, ct)).State;

    public async Task<OrderState> LoadOrder(string orderId, CancellationToken ct) =>
        (await executor.LoadAsync(OrderDecider.StreamId(orderId), Order, ct)).State;

    public async Task<BillingState> LoadBilling(string orderId, CancellationToken ct) =>
        (await executor.LoadAsync(BillingDecider.StreamId(orderId), Billing, ct)).State;

    public async Task<CustomerState> LoadCustomer(string customerId, CancellationToken ct) =>
        (await executor.LoadAsync(CustomerDecider.StreamId(customerId), Customer, ct)).State;

    public async Task<CatalogState> LoadCatalog(CancellationToken ct) =>
        (await executor.LoadAsync(CatalogDecider.StreamId, Catalog, ct)).State;

    public async Task<PricingPolicyState> LoadPolicies(CancellationToken ct) =>
        (await executor.LoadAsync(PricingPolicyDecider.StreamId, Policy, ct)).State;
}
