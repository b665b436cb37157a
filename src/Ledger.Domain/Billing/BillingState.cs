namespace Ledger.Domain.Billing;

public enum BillingStatus { None, Requested, Acknowledged, Failed, Unconfirmed, Reconciled }

public sealed record BillingState(BillingStatus Status, BillingHandoffRequested? Request, BillingHandoffAcknowledged? Acknowledgement, bool LastFailureRetryable)
{
    public static readonly BillingState Initial = new(BillingStatus.None, null, null, false);

    public bool Confirmed => Status is BillingStatus.Acknowledged or BillingStatus.Reconciled;
}
