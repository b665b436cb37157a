using Ledger.Api.Problems;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.EventStore;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Ledger.Api.Catalog;

/// <summary>One published catalog version (versions never change once published).</summary>
public static class CatalogVersionEndpoint
{
    [WolverineGet("/catalog/versions/{version}"), Authorize(Roles = $"{LedgerRoles.Crm},{LedgerRoles.Approver},{LedgerRoles.Finance},{LedgerRoles.Admin}")]
    public static async Task<IResult> Get(string version, IEventStore store, EventSerializer serializer, CancellationToken ct) =>
        (await store.FoldAsync(serializer, Streams.Catalog, ct)).Versions.TryGetValue(version, out var published)
            ? Results.Ok(CatalogVersionView.Of(published))
            : Results.Problem(LedgerProblems.Create(StatusCodes.Status404NotFound, "catalog.version-unknown", $"No catalog version {version} is published.", "version"));
}
