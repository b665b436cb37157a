using Ledger.Domain.Catalog;

namespace Ledger.Api.Catalog;

public sealed record CatalogVersionView(string Version, IReadOnlyList<ProductOffering> Offerings, string PublishedBy, NodaTime.Instant PublishedAt)
{
    public static CatalogVersionView Of(CatalogVersionPublished published) => new(published.Version, published.Offerings, published.PublishedBy, published.PublishedAt);
}
