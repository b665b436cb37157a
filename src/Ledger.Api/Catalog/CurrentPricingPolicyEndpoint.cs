using Ledger.Api.Problems;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.EventStore;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Ledger.Api.Catalog;

/// <summary>The pricing policy a quote is priced under when it names none: the version published last.</summary>
public static class CurrentPricingPolicyEndpoint
{
    [WolverineGet("/pricing-policies/current"), Authorize(Roles = $"{LedgerRoles.Crm},{LedgerRoles.Approver},{LedgerRoles.Finance},{LedgerRoles.Admin}")]
    public static async Task<IResult> Get(IEventStore store, EventSerializer serializer, CancellationToken ct) =>
        (await store.FoldAsync(serializer, Streams.PricingPolicy, ct)).Newest is { } policy
            ? Results.Ok(new { policy.Version, policy.Defaults, policy.Overrides, policy.PublishedBy, policy.PublishedAt })
            : Results.Problem(LedgerProblems.Create(StatusCodes.Status404NotFound, "policy.none-published", "No pricing policy is published yet."));
}
