using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Catalog;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Ledger.Api.Catalog;

public sealed record PublishCatalogRequest(string Version, IReadOnlyList<ProductOffering> Offerings);

/// <param name="RenewalUpliftPercent">How much renewal quotes raise list prices (default 0; ADR/0021).</param>
public sealed record PublishPolicyRequest(string Version, ApprovalThresholds Defaults, IReadOnlyList<PolicyOverride>? Overrides, decimal? RenewalUpliftPercent = null);

/// <summary>Published catalog versions and pricing policies: what quotes are priced from and approved under.</summary>
public static class CatalogEndpoints
{
    [WolverinePost("/catalog/versions"), Authorize(Roles = LedgerRoles.Admin)]
    public static Task<IResult> PublishCatalog(PublishCatalogRequest request, CommandRunner commands, HttpContext context) =>
        commands.Answer(context, (unit, ct) => unit.Decide(Streams.Catalog,
            _ => new PublishCatalogVersion(request.Version, request.Offerings ?? [], context.User.ClientName()), ct));

    [WolverinePost("/pricing-policies"), Authorize(Roles = LedgerRoles.Admin)]
    public static Task<IResult> PublishPolicy(PublishPolicyRequest request, CommandRunner commands, HttpContext context) =>
        request.Defaults is null
            ? Task.FromResult(Results.Problem(Problems.LedgerProblems.Create(StatusCodes.Status400BadRequest, "policy.field-required", "defaults is required.", "defaults")))
            : commands.Answer(context, (unit, ct) => unit.Decide(Streams.PricingPolicy,
                _ => new PublishPricingPolicy(request.Version, request.Defaults, request.Overrides ?? [], context.User.ClientName(),
                    request.RenewalUpliftPercent ?? 0m), ct));
}
