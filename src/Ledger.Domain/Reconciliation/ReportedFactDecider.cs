using Ledger.Domain.Common;
using Ledger.Domain.Quotes;
using NodaTime;

namespace Ledger.Domain.Reconciliation;

/// <summary>
/// Reported facts: one stream per CRM quote (<c>crm-quote-report-{crm}-{quoteId}</c>) and per billing record
/// (<c>billing-record-{recordId}</c>). The ledger does not judge a report (reconciliation does); it only refuses
/// reports that are malformed, and drops ones that repeat or predate what the stream already holds, so that
/// re-sent batches append nothing.
/// </summary>
public static class ReportedFactDecider
{
    /// <summary>A report may be observed up to this far ahead of the ledger's clock (clock skew between systems).</summary>
    public static readonly Duration AllowedClockSkew = Duration.FromMinutes(5);

    public static string CrmQuoteStreamId(string crm, string quoteId) => $"crm-quote-report-{crm}-{quoteId}";

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
}
