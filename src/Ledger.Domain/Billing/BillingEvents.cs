using Ledger.Domain.Common;
using Ledger.Domain;
using NodaTime;

namespace Ledger.Domain.Billing;

[Closed]
public abstract record BillingEvent(string OrderId);

/// <param name="AnswerDueBy">When billing's answer is due; past it the handoff is unconfirmed. New in v2; null on a v1 event (read as v2).</param>
[EventName("billing-handoff-requested.v2")]
public sealed record BillingHandoffRequested(
    string OrderId, decimal Amount, string Currency, string BillingAccount, string IdempotencyKey, string PayloadHash, Instant RequestedAt,
    Instant? AnswerDueBy = null)
    : BillingEvent(OrderId);

/// <param name="AfterTimeout">The acknowledgement arrived after the handoff had been marked unconfirmed.</param>
[EventName("billing-handoff-acknowledged.v1")]
public sealed record BillingHandoffAcknowledged(
    string OrderId, string BillingReference, decimal BilledAmount, string Currency, bool AfterTimeout, Instant AcknowledgedAt)
    : BillingEvent(OrderId);

/// <summary>Billing acknowledged an amount or currency other than the one handed off: a discrepancy, kept, never absorbed.</summary>
[EventName("billing-amount-mismatch-detected.v1")]
public sealed record BillingAmountMismatchDetected(
    string OrderId, string BillingReference, decimal ExpectedAmount, string ExpectedCurrency, decimal BilledAmount, string BilledCurrency,
    Instant DetectedAt) : BillingEvent(OrderId);

/// <summary>Billing acknowledged the handoff again under another invoice reference: a likely double billing.</summary>
[EventName("billing-duplicate-invoice-detected.v1")]
public sealed record BillingDuplicateInvoiceDetected(string OrderId, string FirstReference, string SecondReference, decimal BilledAmount, Instant DetectedAt)
    : BillingEvent(OrderId);

[EventName("billing-handoff-failed.v1")]
public sealed record BillingHandoffFailed(string OrderId, string Reason, bool Retryable, Instant FailedAt) : BillingEvent(OrderId);

/// <summary>No answer came within the timeout: the handoff is unconfirmed and escalated until an answer arrives.</summary>
[EventName("billing-handoff-timed-out.v1")]
public sealed record BillingHandoffTimedOut(string OrderId, Duration Timeout, Instant TimedOutAt) : BillingEvent(OrderId);

[EventName("billing-reconciled.v1")]
public sealed record BillingReconciled(string OrderId, string BillingReference, string ReconciledBy, string Note, Instant ReconciledAt) : BillingEvent(OrderId);
