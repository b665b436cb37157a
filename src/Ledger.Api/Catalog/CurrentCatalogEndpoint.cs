using Ledger.Api.Problems;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.EventStore;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Ledger.Api.Catalog;

/// <summary>The catalog version published last, as the event store has it now.</summary>
public static class CurrentCatalogEndpoint
{
    [WolverineGet("/catalog/versions/current"), Authorize(Roles = $"{LedgerRoles.Crm},{LedgerRoles.Approver},{LedgerRoles.Finance},{LedgerRoles.Admin}")]
    public static async Task<IResult> Get(IEventStore store, EventSerializer serializer, CancellationToken ct)
    {
        var catalog = await store.FoldAsync(serializer, Streams.Catalog, ct);
        return catalog.Versions.Values.OrderBy(v => v.PublishedAt).LastOrDefault() is { } current
            ? Results.Ok(CatalogVersionView.Of(current))
            : Results.Problem(LedgerProblems.Create(StatusCodes.Status404NotFound, "catalog.none-published", "No catalog version is published yet."));
    }
}
