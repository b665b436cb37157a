namespace Ledger.Domain.Catalog;

public sealed record PublishCatalogVersion(string Version, IReadOnlyList<ProductOffering> Offerings, string PublishedBy);

public sealed record PublishPricingPolicy(
    string Version, ApprovalThresholds Defaults, IReadOnlyList<PolicyOverride> Overrides, string PublishedBy, decimal RenewalUpliftPercent = 0m);
