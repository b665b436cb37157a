using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.EventStore;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Ledger.Api.Approvers;

/// <summary>
/// The approvers registry as the event store has it now (ADR/0023): each principal's levels and the live delegations;
/// while nothing was written to it, the configuration it will be seeded with.
/// </summary>
public static class ApproversEndpoint
{
    [WolverineGet("/approvers"), Authorize(Roles = $"{LedgerRoles.Admin},{LedgerRoles.Auditor}")]
    public static async Task<IResult> Get(IEventStore store, EventSerializer serializer, ApproverAuthorities configuration, CancellationToken ct)
    {
        var stored = await store.FoldAsync(serializer, Streams.Approvers, ct);
        var registry = configuration.AsSeeded(stored);
        return Results.Ok(new
        {
            stored.Seeded,
            Approvers = registry.Approvers.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => new { Principal = a.Key, Levels = a.Value }).ToList(),
            Delegations = registry.Delegations.Values.OrderBy(d => d.DelegationId, StringComparer.Ordinal)
                .Select(d => new { d.DelegationId, d.From, d.To, d.Levels, d.FirstDay, d.LastDay, d.GrantedBy }).ToList(),
        });
    }
}
