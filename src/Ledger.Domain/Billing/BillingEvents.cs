using Ledger.Domain.Common;
using Ledger.Domain;
using NodaTime;

namespace Ledger.Domain.Billing;

[Closed]
public abstract record BillingEvent(string OrderId);

/// <param name="OrderId">The handoff's id, which keys its billing stream: an order's id, or for a contract change its
/// <see cref="Contracts.ContractDecider.BillingHandoffIdFor">derived handoff id</see>.</param>
/// <param name="Amount">What billing is asked to bill; negative only for a contract change's credit.</param>
/// <param name="AnswerDueBy">When billing's answer is due; past it the handoff is unconfirmed. New in v2; null on a v1 event (read as v3).</param>
/// <param name="ContractChange">The contract change this handoff bills; null for an order's handoff. New in v3 (ADR/0021); null on v1 and v2 events.</param>
[EventName("billing-handoff-requested.v3")]
public sealed record BillingHandoffRequested(
    string OrderId, decimal Amount, string Currency, string BillingAccount, string IdempotencyKey, string PayloadHash, Instant RequestedAt,
    Instant? AnswerDueBy = null, ContractChange? ContractChange = null)
    : BillingEvent(OrderId);

/// <summary>What a contract change hands to billing (ADR/0021).</summary>
public enum ContractChangeKind { Amendment, Renewal, Cancellation }

/// <summary>The change of a contract a billing handoff is for: the contract, the version the change made, and what it was.</summary>
public sealed record ContractChange(ContractId ContractId, int ContractVersion, ContractChangeKind Kind);

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
