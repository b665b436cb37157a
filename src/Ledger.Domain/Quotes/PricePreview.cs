using Ledger.Domain.Approvals;
using Ledger.Domain.Catalog;
using Ledger.Domain.Common;
using Ledger.Domain.Customers;
using NodaTime;

namespace Ledger.Domain.Quotes;

/// <summary>A line to preview: as a CRM would add it, with the offering its catalog version publishes (null: unknown).</summary>
public sealed record PreviewLine(string LineId, string ProductOfferingId, string CatalogVersion, decimal Quantity, decimal DiscountPercent, ProductOffering? Offering);

/// <summary>What a preview comes to: the price and the approval levels a quote like it would need, or the refusal a quote would get.</summary>
[Closed]
public abstract record PricePreviewOutcome
{
    private PricePreviewOutcome() { }

    public sealed record Priced(PriceSnapshot Snapshot, IReadOnlyList<ApprovalLevel> RequiredLevels) : PricePreviewOutcome;

    public sealed record Refused(Refusal Refusal) : PricePreviewOutcome;
}

/// <summary>
/// Prices lines without a quote: the quote decider itself is run on a quote that exists only here (drafted, its lines added,
/// priced), and the approval rules say which levels it would need. So a preview refuses what adding and pricing would
/// refuse, prices exactly as pricing does, and appends nothing.
/// </summary>
public static class PricePreview
{
    private const string Unnamed = "preview";

    public static PricePreviewOutcome Of(string currency, string segment, string region, IReadOnlyList<PreviewLine> lines, PricingPolicyPublished? policy, Instant now)
    {
        var today = now.InUtc().Date;
        var commands = new List<QuoteCommand>
        {
            new DraftQuote(new QuoteId(Unnamed), Unnamed, Unnamed, Unnamed, new CustomerId(Unnamed), Unnamed, currency, segment, region, Unnamed, "Etc/UTC", Unnamed, today, today,
                new LinkedCustomer(new CustomerId(Unnamed), CustomerStatus.Active, null)),
        };
        commands.AddRange(lines.Select(l => new AddQuoteLine(new QuoteId(Unnamed), l.LineId, l.ProductOfferingId, l.CatalogVersion, l.Quantity, l.DiscountPercent, l.Offering)));
        commands.Add(new PriceQuote(new QuoteId(Unnamed), policy));

        var state = QuoteState.Initial;
        for (var i = 0; i < commands.Count; i++)
        {
            Decision<QuoteEvent> decision;
            try
            {
                decision = QuoteDecider.Decide(commands[i], state, now);
            }
            catch (OverflowException)
            {
                // Quantities × prices beyond decimal's range: a preview says so instead of failing.
                return new PricePreviewOutcome.Refused(new Refusal(RefusalKind.Validation, "quote.amount-too-large",
                    "The lines' amounts are too large to price.", "lines"));
            }
            switch (decision)
            {
                case Decision<QuoteEvent>.Refused { Refusal: var refusal }:
                    // A line's refusal names the line's field: lines[2].quantity, as the request has it.
                    return new PricePreviewOutcome.Refused(commands[i] is AddQuoteLine && refusal.Field is { } field ? refusal with { Field = $"lines[{i - 1}].{field}" } : refusal);
                case Decision<QuoteEvent>.Accepted accepted:
                    state = accepted.Events.Aggregate(state, QuoteDecider.Evolve);
                    break;
            }
        }
        return new PricePreviewOutcome.Priced(state.Pricing!, ApprovalRules.RequiredLevels(policy!, state.Pricing!, segment, region));
    }
}
