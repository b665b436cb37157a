using System.Collections.Immutable;
using Ledger.Domain.Common;
using NodaTime;

namespace Ledger.Domain.Catalog;

/// <param name="Newest">The version published last: what a quote is priced under when it names none.</param>
public sealed record PricingPolicyState(ImmutableDictionary<string, PricingPolicyPublished> Versions, PricingPolicyPublished? Newest)
{
    public static readonly PricingPolicyState Initial = new(ImmutableDictionary<string, PricingPolicyPublished>.Empty, null);
}

/// <summary>Pricing/approval policies: versions are published whole and never changed; republishing a version identically is a no-op.</summary>
public static class PricingPolicyDecider
{
    public const string PolicyId = "pricing-policy";
    public static string StreamId => PolicyId;

    public static PricingPolicyState Evolve(PricingPolicyState state, PricingPolicyEvent @event) => @event switch
    {
        PricingPolicyPublished p => state with
        {
            Versions = state.Versions.SetItem(p.Version, p),
            Newest = state.Newest is { } newest && newest.PublishedAt > p.PublishedAt ? newest : p,
        },
        _ => state,
    };

    public static Decision<PricingPolicyEvent> Decide(PublishPricingPolicy command, PricingPolicyState state, Instant now)
    {
        if (string.IsNullOrWhiteSpace(command.Version))
            return Decision<PricingPolicyEvent>.Invalid("version", "policy.version-required", "A policy version needs a name.");
        if (Validate(command.Defaults, "defaults") is { } invalid) return invalid;
        if (command.RenewalUpliftPercent is < 0 or > 100)
            return Decision<PricingPolicyEvent>.Invalid("renewalUpliftPercent", "policy.percent-out-of-range", "A renewal uplift is between 0 and 100 percent.");
        for (var i = 0; i < command.Overrides.Count; i++)
            if (Validate(command.Overrides[i].Thresholds, $"overrides[{i}].thresholds") is { } invalidOverride) return invalidOverride;
        if (state.Versions.TryGetValue(command.Version, out var existing))
            return Same(existing.Defaults, command.Defaults) && existing.RenewalUpliftPercent == command.RenewalUpliftPercent
                   && existing.Overrides.Count == command.Overrides.Count
                   && existing.Overrides.Zip(command.Overrides).All(p => p.First.Segment == p.Second.Segment && p.First.Region == p.Second.Region
                                                                        && Same(p.First.Thresholds, p.Second.Thresholds))
                ? Decision<PricingPolicyEvent>.Nothing // a retried publish of the same policy, as for catalog versions
                : Decision<PricingPolicyEvent>.Refuse(RefusalKind.Conflict, "policy.version-exists",
                $"Policy version {command.Version} is already published; publish a new version.", "version");
        return Decision<PricingPolicyEvent>.Of(new PricingPolicyPublished(PolicyId, command.Version, command.Defaults, command.Overrides, command.PublishedBy, now,
            command.RenewalUpliftPercent));
    }

    // Records compare lists by reference, so the deal-size thresholds are compared element by element.
    private static bool Same(ApprovalThresholds a, ApprovalThresholds b) =>
        a with { CfoAboveNetTotal = [] } == b with { CfoAboveNetTotal = [] } && a.CfoAboveNetTotal.SequenceEqual(b.CfoAboveNetTotal);

    private static Refusal? Validate(ApprovalThresholds t, string field)
    {
        decimal[] percents = [t.DealDeskAboveDiscountPercent, t.VicePresidentAboveDiscountPercent, t.CfoAboveDiscountPercent];
        if (percents.Any(p => p is < 0 or > 100))
            return new Refusal(RefusalKind.Validation, "policy.percent-out-of-range", "Discount thresholds are between 0 and 100 percent.", field);
        if (!(t.DealDeskAboveDiscountPercent <= t.VicePresidentAboveDiscountPercent && t.VicePresidentAboveDiscountPercent <= t.CfoAboveDiscountPercent))
            return new Refusal(RefusalKind.Validation, "policy.levels-out-of-order", "Thresholds rise from deal desk to VP to CFO.", field);
        if (t.CfoAboveNetTotal.Any(p => !Currency.IsKnown(p.Currency) || p.Amount < 0))
            return new Refusal(RefusalKind.Validation, "policy.deal-size-invalid", "Deal-size thresholds need a known currency and an amount of 0 or more.", field);
        return null;
    }
}
