using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Catalog;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Ledger.Api.Catalog;

public sealed record PublishCatalogRequest(string Version, IReadOnlyList<ProductOffering> Offerings);

public sealed record PublishPolicyRequest(string Version, ApprovalThresholds Defaults, IReadOnlyList<PolicyOverride>? Overrides);

/// <summary>Published catalog versions and pricing policies: what quotes are priced from and approved under.</summary>
public static class CatalogEndpoints
{
    [WolverinePost("/catalog/versions"), Authorize(Roles = LedgerRoles.Admin)]
    public static async Task<IResult> PublishCatalog(PublishCatalogRequest request, StreamCommands streams, HttpContext context, CancellationToken ct) =>
        (await streams.Send(new PublishCatalogVersion(request.Version, request.Offerings ?? [], context.User.ClientName()), context.CommandMetadata(), ct))
            .ToHttp(context);

    [WolverinePost("/pricing-policies"), Authorize(Roles = LedgerRoles.Admin)]
    public static async Task<IResult> PublishPolicy(PublishPolicyRequest request, StreamCommands streams, HttpContext context, CancellationToken ct) =>
        request.Defaults is null
            ? Results.Problem(Problems.LedgerProblems.Create(StatusCodes.Status400BadRequest, "policy.field-required", "defaults is required.", "defaults"))
            : (await streams.Send(new PublishPricingPolicy(request.Version, request.Defaults, request.Overrides ?? [], context.User.ClientName()),
                context.CommandMetadata(), ct)).ToHttp(context);
}
