using Ledger.Application.Billing;
using Ledger.Application.Commands;
using Ledger.Domain.Billing;
using Ledger.Domain.Orders;
using Ledger.Domain.Common;

namespace Ledger.Application.Reactions;

/// <summary>
/// The billing stream drives the work outside the store and the order's end: a requested handoff is sent to billing
/// and checked at its deadline; a retryable failure billing reports is sent again a little later; an acknowledgement closes the order,
/// or, for a contract change's handoff, is noted on the contract (ADR/0021). The same path for both: one handoff, its retries and its answer.
/// </summary>
public static class BillingOutcomes
{
    /// <summary>How long after billing reported a retryable failure the handoff is sent again; the deadline check still ends it.</summary>
    public static readonly NodaTime.Duration ResendAfterReportedFailure = NodaTime.Duration.FromSeconds(30);

    public static readonly IReactor Reactor = new Reactor<BillingCommand, BillingEvent, BillingState>(
        "billing-outcomes", e => Streams.Billing(e.OrderId), React,
        typeof(BillingHandoffRequested), typeof(BillingHandoffFailed), typeof(BillingHandoffAcknowledged));

    public static IEnumerable<Reaction> React(BillingEvent @event, BillingState before)
    {
        switch (@event)
        {
            case BillingHandoffRequested e:
                yield return new Reaction.Deliver(new SendBillingHandoff(e.OrderId));
                if (e.AnswerDueBy is { } due) yield return new Reaction.Deliver(new CheckBillingHandoff(e.OrderId, due));
                break;
            case BillingHandoffFailed { Retryable: true } e:
                yield return new Reaction.Deliver(new ResendBillingHandoff(e.OrderId, e.FailedAt + ResendAfterReportedFailure));
                break;
            case BillingHandoffAcknowledged e when before.Request?.ContractChange is { } change:
                yield return Reaction.Decide.On(new Domain.Contracts.RecordContractChangeBilled(change.ContractId, change.ContractVersion, e.OrderId,
                    e.BillingReference, e.BilledAmount, e.Currency));
                break;
            case BillingHandoffAcknowledged e: // not a contract change's handoff, so an order's
                yield return Reaction.Decide.On(new CloseOrder(new OrderId(e.OrderId), e.BillingReference));
                break;
        }
    }
}
