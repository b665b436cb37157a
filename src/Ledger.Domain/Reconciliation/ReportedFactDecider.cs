using Ledger.Domain.Common;
using Ledger.Domain.Quotes;
using NodaTime;

namespace Ledger.Domain.Reconciliation;

/// <summary>
/// Reported facts: one stream per CRM quote (<c>crm-quote-report-{crm}-{quoteId}</c>), per CRM contract
/// (<c>crm-contract-report-{crm}-{contractId}</c>) and per billing record
/// (<c>billing-record-{recordId}</c>). The ledger does not judge a report (reconciliation does); it only refuses
/// reports that are malformed, and drops ones that repeat or predate what the stream already holds, so that
/// re-sent batches append nothing.
/// </summary>
public static class ReportedFactDecider
{
    /// <summary>A report may be observed up to this far ahead of the ledger's clock (clock skew between systems).</summary>
    public static readonly Duration AllowedClockSkew = Duration.FromMinutes(5);

    public static string CrmQuoteStreamId(string crm, QuoteId quoteId) => $"crm-quote-report-{crm}-{quoteId}";

    public static string CrmContractStreamId(string crm, ContractId contractId) => $"crm-contract-report-{crm}-{contractId}";

    public static string BillingRecordStreamId(string recordId) => $"billing-record-{recordId}";

    public static ReportedFactState Evolve(ReportedFactState state, ReportedFactEvent @event) => new(@event);

    public static Decision<ReportedFactEvent> Decide(ReportedFactCommand command, ReportedFactState state, Instant now)
    {
        switch (command)
        {
            case ReportCrmQuoteState c:
                if (Ids.Check(("crm", c.Crm), ("quoteId", c.QuoteId), ("crmOpportunityId", c.CrmOpportunityId)) is { } badId)
                    return Decision<ReportedFactEvent>.Invalid(badId.Field!, "report." + badId.Code, badId.Message);
                if (c.Status == QuoteStatus.None)
                    return Decision<ReportedFactEvent>.Invalid("status", "report.status-unknown", "status must be one of the ledger's quote states (Draft … Ordered).");
                if (c.ObservedAt > now + AllowedClockSkew)
                    return Decision<ReportedFactEvent>.Invalid("observedAt", "report.observed-in-future", $"observedAt {c.ObservedAt} is after the ledger's clock ({now}).");
                if (state.Last is CrmQuoteStateReported last && (last.ObservedAt >= c.ObservedAt || last.Status == c.Status && last.CrmOpportunityId == c.CrmOpportunityId))
                    return Decision<ReportedFactEvent>.Nothing;
                return Decision<ReportedFactEvent>.Of(new CrmQuoteStateReported(c.Crm, c.QuoteId, c.CrmOpportunityId, c.Status, c.ObservedAt, now));

            case ReportCrmContractState c:
                return CrmContractState(c, state, now);

            case ReportBillingRecord c:
                if (Ids.Check(("recordId", c.RecordId), ("orderId", c.OrderId)) is { } invalidId)
                    return Decision<ReportedFactEvent>.Invalid(invalidId.Field!, "report." + invalidId.Code, invalidId.Message);
                if (!Currency.TryParse(c.Currency, out var currency))
                    return Decision<ReportedFactEvent>.Invalid("currency", "money.currency-unknown", $"'{c.Currency}' is not an ISO 4217 currency the ledger knows.");
                if (c.Amount < 0)
                    return Decision<ReportedFactEvent>.Invalid("amount", "report.amount-negative", "amount is never negative; a credit note says the direction.");
                // Rounding is the billing system's to state, never ours to guess.
                if (currency.Round(c.Amount) != c.Amount)
                    return Decision<ReportedFactEvent>.Invalid("amount", "money.precision",
                        $"{c.Amount} has more decimals than {currency.Code} has minor units ({currency.MinorUnits}).");
                if (c.ObservedAt > now + AllowedClockSkew)
                    return Decision<ReportedFactEvent>.Invalid("observedAt", "report.observed-in-future", $"observedAt {c.ObservedAt} is after the ledger's clock ({now}).");
                if (state.Last is BillingRecordReported prior)
                {
                    if (prior.OrderId != c.OrderId)
                        return Decision<ReportedFactEvent>.Refuse(RefusalKind.Conflict, "report.record-order-changed",
                            $"Billing record {c.RecordId} belongs to order {prior.OrderId}, not {c.OrderId}.", "orderId");
                    if (prior.ObservedAt >= c.ObservedAt ||
                        (prior.Kind, prior.Amount, prior.Currency, prior.Status) == (c.Kind, c.Amount, c.Currency, c.Status))
                        return Decision<ReportedFactEvent>.Nothing;
                }
                return Decision<ReportedFactEvent>.Of(new BillingRecordReported(c.RecordId, c.OrderId, c.Kind, c.Amount, currency.Code, c.Status, c.ObservedAt, now));

            default:
                throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown report.");
        }
    }

    /// <summary>
    /// What a CRM shows of a contract (ADR/0021): its changes by version, each once, none before version 2 (version 1 is
    /// the start). A report that shows the same changes as the last one, or is older, appends nothing.
    /// </summary>
    private static Decision<ReportedFactEvent> CrmContractState(ReportCrmContractState c, ReportedFactState state, Instant now)
    {
        if (Ids.Check(("crm", c.Crm), ("contractId", c.ContractId)) is { } badId)
            return Decision<ReportedFactEvent>.Invalid(badId.Field!, "report." + badId.Code, badId.Message);
        if (!Contracts.ContractDecider.IsContractId(c.ContractId))
            return Decision<ReportedFactEvent>.Invalid("contractId", "report.not-a-contract-id", $"'{c.ContractId}' is not a contract id (ctr-…).");
        if (c.Changes is not { } changes)
            return Decision<ReportedFactEvent>.Invalid("changes", "report.field-required", "changes is required (empty: the CRM shows no change since the start).");
        for (var i = 0; i < changes.Count; i++)
        {
            if (changes[i] is not { } change)
                return Decision<ReportedFactEvent>.Invalid($"changes[{i}]", "report.item-missing", $"changes[{i}] is empty.");
            if (change.Version < 2)
                return Decision<ReportedFactEvent>.Invalid($"changes[{i}].version", "report.version-out-of-range",
                    "A change makes version 2 or later; version 1 is the contract's start.");
            if (!Enum.IsDefined(change.Kind))
                return Decision<ReportedFactEvent>.Invalid($"changes[{i}].kind", "report.kind-unknown", "kind is Amendment, Renewal or Cancellation.");
            if (changes.Take(i).Any(other => other?.Version == change.Version))
                return Decision<ReportedFactEvent>.Invalid($"changes[{i}].version", "report.version-duplicated", $"Version {change.Version} is reported twice.");
        }
        if (c.ObservedAt > now + AllowedClockSkew)
            return Decision<ReportedFactEvent>.Invalid("observedAt", "report.observed-in-future", $"observedAt {c.ObservedAt} is after the ledger's clock ({now}).");
        var ordered = changes.OrderBy(ch => ch.Version).ToList();
        if (state.Last is CrmContractStateReported last && (last.ObservedAt >= c.ObservedAt || last.Changes.SequenceEqual(ordered)))
            return Decision<ReportedFactEvent>.Nothing;
        return Decision<ReportedFactEvent>.Of(new CrmContractStateReported(c.Crm, c.ContractId, ordered, c.ObservedAt, now));
    }
}
