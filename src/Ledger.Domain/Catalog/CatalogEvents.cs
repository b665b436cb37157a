using Ledger.Domain.Common;
using Ledger.Domain;
using NodaTime;

namespace Ledger.Domain.Catalog;

public sealed record ListPrice(string Currency, decimal Amount);

/// <summary>
/// A subscription offering's terms: sold for <paramref name="TermMonths"/> at a time, its list price is per unit per term;
/// an evergreen subscription renews itself at the end of each term unless cancelled (ADR/0021).
/// </summary>
public sealed record SubscriptionTerms(int TermMonths, bool Evergreen);

/// <param name="Subscription">Null for a one-off sale; an order of a quote with subscription lines starts a contract (ADR/0021). New in v2.</param>
public sealed record ProductOffering(string ProductOfferingId, string Name, IReadOnlyList<ListPrice> ListPrices, SubscriptionTerms? Subscription = null);

/// <summary>Events of the catalog stream (<c>catalog</c>): published product offerings, one version at a time.</summary>
[Closed]
public abstract record CatalogEvent(string CatalogId);

[EventName("catalog-version-published.v2")]
public sealed record CatalogVersionPublished(string CatalogId, string Version, IReadOnlyList<ProductOffering> Offerings, string PublishedBy, Instant PublishedAt)
    : CatalogEvent(CatalogId);

/// <summary>Thresholds of one approval policy; a segment/region override replaces the defaults where it matches.</summary>
public sealed record ApprovalThresholds(
    decimal DealDeskAboveDiscountPercent,
    decimal VicePresidentAboveDiscountPercent,
    decimal CfoAboveDiscountPercent,
    IReadOnlyList<ListPrice> CfoAboveNetTotal);

public sealed record PolicyOverride(string? Segment, string? Region, ApprovalThresholds Thresholds);

/// <summary>Events of the pricing policy stream (<c>pricing-policy</c>).</summary>
[Closed]
public abstract record PricingPolicyEvent(string PolicyId);

/// <param name="RenewalUpliftPercent">How much a contract's renewal quote raises its list prices (ADR/0021). New in v2; a v1 policy reads as 0.</param>
[EventName("pricing-policy-published.v2")]
public sealed record PricingPolicyPublished(
    string PolicyId, string Version, ApprovalThresholds Defaults, IReadOnlyList<PolicyOverride> Overrides, string PublishedBy, Instant PublishedAt,
    decimal RenewalUpliftPercent = 0m)
    : PricingPolicyEvent(PolicyId);
