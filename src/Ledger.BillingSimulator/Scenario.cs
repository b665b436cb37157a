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
    /// <summary>Accepts and never calls back.</summary>
    Silent,
}

public sealed record Scenario(BillingMode Mode, double DelaySeconds = 0, decimal AmountDelta = 0, string? FailReason = null);

public sealed record HandoffRequest(
    string IdempotencyKey, string OrderId, decimal Amount, string Currency, string BillingAccount, string CallbackUrl);

public sealed record Invoice(
    string BillingReference, string IdempotencyKey, string OrderId, decimal BilledAmount, string Currency, string BillingAccount);

/// <summary>What the simulator sends back to the ledger's acknowledgement endpoint.</summary>
public sealed record Acknowledgement(string IdempotencyKey, string BillingReference, decimal BilledAmount, string Currency);
