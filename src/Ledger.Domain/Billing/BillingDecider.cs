using Ledger.Domain.Common;
using NodaTime;

namespace Ledger.Domain.Billing;

/// <summary>
/// The handoff of an order to billing. Duplicate acknowledgements are harmless; a different amount or a second
/// invoice is recorded as a discrepancy; a late acknowledgement after the timeout still counts.
/// </summary>
public static class BillingDecider
{
    public static string StreamId(string orderId) => $"billing-{orderId}";

    public static BillingState Initial => BillingState.Initial;

    public static BillingState Evolve(BillingState state, BillingEvent @event) => @event switch
    {
        BillingHandoffRequested e => state with { Status = BillingStatus.Requested, Request = e },
        BillingHandoffAcknowledged e => state with { Status = BillingStatus.Acknowledged, Acknowledgement = e },
        BillingAmountMismatchDetected or BillingDuplicateInvoiceDetected => state,
        BillingHandoffFailed e => state with { Status = BillingStatus.Failed, LastFailureRetryable = e.Retryable },
        BillingHandoffTimedOut => state with { Status = BillingStatus.Unconfirmed },
        BillingReconciled => state with { Status = BillingStatus.Reconciled },
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "Unknown billing event."),
    };

    public static Decision<BillingEvent> Decide(BillingCommand command, BillingState state, Instant now)
    {
        return command switch
        {
            RequestBillingHandoff c => Request(c, state, now),
            RecordBillingAcknowledgement c => Acknowledge(c, state, now),
            RecordBillingFailure c => Fail(c, state, now),
            MarkBillingUnconfirmed c => TimeOut(c, state, now),
            ReconcileBilling c => Reconcile(c, state, now),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown billing command."),
        };
    }

    private static Decision<BillingEvent> Request(RequestBillingHandoff c, BillingState state, Instant now)
    {
        if (state.Status != BillingStatus.None)
            return state.Request!.IdempotencyKey == c.IdempotencyKey
                ? Decision<BillingEvent>.Nothing
                : Decision<BillingEvent>.Refuse(RefusalKind.Conflict, "billing.already-requested", $"Order {c.OrderId} was already handed off to billing.");
        if (!Currency.IsKnown(c.Currency))
            return Decision<BillingEvent>.Invalid("currency", "money.unknown-currency", $"'{c.Currency}' is not an ISO 4217 currency the ledger knows.");
        // A contract change may owe the customer (fewer seats, a cancellation): its credit is handed off as a negative amount.
        if (c.Amount < 0 && c.ContractChange is null)
            return Decision<BillingEvent>.Invalid("amount", "billing.negative-amount", "An order's billing handoff is for 0 or more.");
        if (string.IsNullOrWhiteSpace(c.BillingAccount))
            return Decision<BillingEvent>.Invalid("billingAccount", "billing.field-required", "billingAccount is required.");
        return Decision<BillingEvent>.Of(new BillingHandoffRequested(c.OrderId, c.Amount, c.Currency, c.BillingAccount, c.IdempotencyKey, c.PayloadHash, now,
            c.AnswerWithin is { } within ? now + within : null, c.ContractChange));
    }

    private static Decision<BillingEvent> Acknowledge(RecordBillingAcknowledgement c, BillingState state, Instant now)
    {
        if (string.IsNullOrWhiteSpace(c.BillingReference))
            return Decision<BillingEvent>.Invalid("billingReference", "billing.field-required", "billingReference is required.");
        if (!Currency.IsKnown(c.Currency))
            return Decision<BillingEvent>.Invalid("currency", "money.unknown-currency", $"'{c.Currency}' is not an ISO 4217 currency the ledger knows.");

        var request = state.Request!;
        var sameAmount = c.BilledAmount == request.Amount && c.Currency == request.Currency;
        var mismatch = new BillingAmountMismatchDetected(c.OrderId, c.BillingReference, request.Amount, request.Currency, c.BilledAmount, c.Currency, now);

        if (state.Acknowledgement is { } first)
        {
            if (first.BillingReference != c.BillingReference)
                return Decision<BillingEvent>.Of(new BillingDuplicateInvoiceDetected(c.OrderId, first.BillingReference, c.BillingReference, c.BilledAmount, now));
            // The same invoice again: harmless, unless it now says another amount than it first did.
            return first.BilledAmount == c.BilledAmount && first.Currency == c.Currency
                ? Decision<BillingEvent>.Nothing
                : Decision<BillingEvent>.Of(mismatch);
        }

        var acknowledged = new BillingHandoffAcknowledged(c.OrderId, c.BillingReference, c.BilledAmount, c.Currency,
            AfterTimeout: state.Status == BillingStatus.Unconfirmed, now);
        return sameAmount ? Decision<BillingEvent>.Of(acknowledged) : Decision<BillingEvent>.Of(acknowledged, mismatch);
    }

    private static Decision<BillingEvent> Fail(RecordBillingFailure c, BillingState state, Instant now)
    {
        if (state.Confirmed)
            return Decision<BillingEvent>.Refuse(RefusalKind.Conflict, "billing.already-acknowledged",
                $"Billing already acknowledged this order as {state.Acknowledgement!.BillingReference}.");
        if (string.IsNullOrWhiteSpace(c.Reason))
            return Decision<BillingEvent>.Invalid("reason", "billing.field-required", "A failure needs a reason.");
        return Decision<BillingEvent>.Of(new BillingHandoffFailed(c.OrderId, c.Reason, c.Retryable, now));
    }

    private static Decision<BillingEvent> TimeOut(MarkBillingUnconfirmed c, BillingState state, Instant now) =>
        state.Status is BillingStatus.Requested or BillingStatus.Failed && (state.Status != BillingStatus.Failed || state.LastFailureRetryable)
            ? Decision<BillingEvent>.Of(new BillingHandoffTimedOut(c.OrderId, c.Timeout, now))
            // Answered (or failed for good, or already unconfirmed) before the timeout fired: nothing to mark.
            : Decision<BillingEvent>.Nothing;

    private static Decision<BillingEvent> Reconcile(ReconcileBilling c, BillingState state, Instant now)
    {
        if (state.Status == BillingStatus.Reconciled) return Decision<BillingEvent>.Nothing;
        if (state.Status != BillingStatus.Acknowledged)
            return Decision<BillingEvent>.Refuse(RefusalKind.Conflict, "billing.not-acknowledged", $"Billing is {state.Status}; only an acknowledged handoff is reconciled.");
        return Decision<BillingEvent>.Of(new BillingReconciled(c.OrderId, state.Acknowledgement!.BillingReference, c.ReconciledBy, c.Note, now));
    }
}
