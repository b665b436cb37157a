namespace Ledger.BillingSimulator;

/// <summary>How the simulated billing system answers a handoff.</summary>
public enum BillingMode
{
    /// <summary>Accepts, then calls back with an acknowledgement for the requested amount.</summary>
    Acknowledge,
    /// <summary>Answers 503: the ledger should retry with back-off.</summary>
    FailRetryable,
    /// <summary>Answers 422 with a reason: retrying will not help.</summary>
    FailBusiness,
    /// <summary>Accepts, then calls back only after <see cref="Scenario.DelaySeconds"/> (past the ledger's timeout).</summary>
    Delay,
    /// <summary>Accepts, then calls back twice with the same acknowledgement.</summary>
    AnswerTwice,
    /// <summary>Accepts, then acknowledges an amount off by <see cref="Scenario.AmountDelta"/>.</summary>
    BillDifferentAmount,
    /// <summary>Accepts and never calls back: the ledger can only learn of the invoice through <c>GET /handoffs/{key}</c>.</summary>
    Silent,
    /// <summary>
    /// Records the invoice, then holds the POST's answer for <see cref="Scenario.DelaySeconds"/> before answering 202
    /// (past the ledger's HTTP timeout, so the ledger sees no answer though the handoff arrived); never calls back.
    /// </summary>
    Hang,
    /// <summary>Answers 202 and then loses the handoff: nothing recorded, no callback, <c>GET /handoffs/{key}</c> says 404.</summary>
    Lose,
}

public sealed record Scenario(BillingMode Mode, double DelaySeconds = 0, decimal AmountDelta = 0, string? FailReason = null);

/// <param name="Kind">Order, or a contract's Amendment, Renewal or Cancellation (a negative amount is a credit).</param>
public sealed record HandoffRequest(
    string IdempotencyKey, string OrderId, decimal Amount, string Currency, string BillingAccount, string CallbackUrl, string? Kind = null,
    string? ContractId = null);

/// <param name="CorrelationId">The <c>X-Correlation-Id</c> the handoff came with, kept so one request can be followed across both systems.</param>
/// <param name="Kind">What was billed: Order, Amendment, Renewal or Cancellation (a credit note when the amount is negative).</param>
public sealed record Invoice(
    string BillingReference, string IdempotencyKey, string OrderId, decimal BilledAmount, string Currency, string BillingAccount,
    string? CorrelationId = null, string Kind = "Order", string? ContractId = null);

/// <summary>What <c>GET /handoffs/{idempotencyKey}</c> answers about a handoff the simulator has recorded.</summary>
public sealed record HandoffStatus(
    string IdempotencyKey, string OrderId, string BillingReference, decimal Amount, string Currency, string BillingAccount, string Status,
    string? CorrelationId)
{
    /// <summary>The simulator records a handoff only when it invoices it; refused and unavailable handoffs leave no trace.</summary>
    public const string Invoiced = "Invoiced";

    public static HandoffStatus Of(Invoice invoice) => new(
        invoice.IdempotencyKey, invoice.OrderId, invoice.BillingReference, invoice.BilledAmount, invoice.Currency, invoice.BillingAccount, Invoiced,
        invoice.CorrelationId);
}

/// <summary>What the simulator sends back to the ledger's acknowledgement endpoint.</summary>
public sealed record Acknowledgement(string IdempotencyKey, string BillingReference, decimal BilledAmount, string Currency);
