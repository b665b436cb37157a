using Ledger.Domain.Common;
using NodaTime;

namespace Ledger.Domain.Billing;

[Closed]
public abstract record BillingCommand(string OrderId);

/// <param name="AnswerWithin">How long billing has to answer; the deadline is recorded with the request.</param>
/// <param name="ContractChange">Set when the handoff bills a contract change rather than an order; its amount may then be a credit (negative).</param>
public sealed record RequestBillingHandoff(
    string OrderId, decimal Amount, string Currency, string BillingAccount, string IdempotencyKey, string PayloadHash, Duration? AnswerWithin = null,
    ContractChange? ContractChange = null)
    : BillingCommand(OrderId), IStartsStream;

public sealed record RecordBillingAcknowledgement(string OrderId, string BillingReference, decimal BilledAmount, string Currency) : BillingCommand(OrderId);

public sealed record RecordBillingFailure(string OrderId, string Reason, bool Retryable) : BillingCommand(OrderId);

public sealed record MarkBillingUnconfirmed(string OrderId, Duration Timeout) : BillingCommand(OrderId);

public sealed record ReconcileBilling(string OrderId, string ReconciledBy, string Note) : BillingCommand(OrderId);
