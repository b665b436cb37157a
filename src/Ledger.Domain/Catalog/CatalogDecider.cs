using System.Collections.Immutable;
using Ledger.Domain.Common;
using NodaTime;

namespace Ledger.Domain.Catalog;

public sealed record CatalogState(ImmutableDictionary<string, CatalogVersionPublished> Versions)
{
    public static readonly CatalogState Initial = new(ImmutableDictionary<string, CatalogVersionPublished>.Empty);

    /// <summary>The offering as published in a catalog version, or null when the version or the offering is unknown.</summary>
    public ProductOffering? Find(string version, string productOfferingId) =>
        Versions.TryGetValue(version, out var published)
            ? published.Offerings.FirstOrDefault(o => o.ProductOfferingId == productOfferingId)
            : null;
}

/// <summary>The catalog: versions are published whole and never changed; republishing a version identically is a no-op.</summary>
public static class CatalogDecider
{
    public const string CatalogId = "catalog";
    public static string StreamId => CatalogId;

    public static CatalogState Evolve(CatalogState state, CatalogEvent @event) => @event switch
    {
        CatalogVersionPublished p => state with { Versions = state.Versions.SetItem(p.Version, p) },
        _ => state,
    };

    public static Decision<CatalogEvent> Decide(PublishCatalogVersion command, CatalogState state, Instant now)
    {
        if (string.IsNullOrWhiteSpace(command.Version))
            return Decision<CatalogEvent>.Invalid("version", "catalog.version-required", "A catalog version needs a name.");
        if (command.Offerings.Count == 0)
            return Decision<CatalogEvent>.Invalid("offerings", "catalog.offerings-required", "A catalog version needs at least one product offering.");
        for (var i = 0; i < command.Offerings.Count; i++)
        {
            var offering = command.Offerings[i];
            if (string.IsNullOrWhiteSpace(offering.ProductOfferingId))
                return Decision<CatalogEvent>.Invalid($"offerings[{i}].productOfferingId", "catalog.offering-id-required", "Every offering needs an id.");
            if (command.Offerings.Count(o => o.ProductOfferingId == offering.ProductOfferingId) > 1)
                return Decision<CatalogEvent>.Invalid($"offerings[{i}].productOfferingId", "catalog.offering-duplicated", $"Offering {offering.ProductOfferingId} appears twice.");
            if (offering.Subscription is { TermMonths: < 1 or > 120 })
                return Decision<CatalogEvent>.Invalid($"offerings[{i}].subscription.termMonths", "catalog.term-out-of-range", "A subscription term is 1 to 120 months.");
            foreach (var price in offering.ListPrices)
            {
                if (!Currency.IsKnown(price.Currency))
                    return Decision<CatalogEvent>.Invalid($"offerings[{i}].listPrices", "money.unknown-currency", $"'{price.Currency}' is not an ISO 4217 currency.");
                if (price.Amount < 0)
                    return Decision<CatalogEvent>.Invalid($"offerings[{i}].listPrices", "catalog.negative-price", "List prices are 0 or more.");
            }
        }
        if (state.Versions.TryGetValue(command.Version, out var existing))
            return SameOfferings(existing.Offerings, command.Offerings)
                ? Decision<CatalogEvent>.Nothing
                : Decision<CatalogEvent>.Refuse(RefusalKind.Conflict, "catalog.version-exists",
                    $"Catalog version {command.Version} is already published with other offerings; publish a new version.", "version");
        return Decision<CatalogEvent>.Of(new CatalogVersionPublished(CatalogId, command.Version, command.Offerings, command.PublishedBy, now));
    }

    private static bool SameOfferings(IReadOnlyList<ProductOffering> a, IReadOnlyList<ProductOffering> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.ProductOfferingId == p.Second.ProductOfferingId
                                                 && p.First.Name == p.Second.Name
                                                 && p.First.ListPrices.SequenceEqual(p.Second.ListPrices)
                                                 && p.First.Subscription == p.Second.Subscription);
}
