using Ledger.Api.Problems;
using Ledger.Api.Security;
using Ledger.Application.Reactions;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Ledger.Api.Reactions;

/// <summary>What the reaction processor is doing and what it parked (<c>ledger reactions</c>), and retrying a parked reaction.</summary>
public static class ReactionEndpoints
{
    [WolverineGet("/reactions"), Authorize(Roles = LedgerRoles.Admin)]
    public static async Task<IResult> Status(ReactionBacklog backlog, ReactionMetrics metrics, CancellationToken ct)
    {
        var status = await backlog.ReadAsync(ct);
        metrics.Record(status);
        return Results.Ok(new
        {
            status.Position,
            status.EventsBehind,
            caughtUp = status.EventsBehind == 0,
            parked = status.Parked.Select(p => new
            {
                p.Id, p.Reactor, p.EventId, p.StreamId, p.Position, p.EventType, p.Error, p.Attempts, p.ParkedAt,
            }),
            status.DeadLetters,
        });
    }

    /// <summary>Runs a parked reaction again; it leaves the list when it succeeds (its commands are keyed, so a success before changes nothing).</summary>
    [WolverinePost("/reactions/parked/{id}/retry"), Authorize(Roles = LedgerRoles.Admin)]
    public static async Task<IResult> Retry(long id, ReactionProcessor processor, ReactionStore store, CancellationToken ct)
    {
        var parked = (await store.ParkedAsync(ct)).FirstOrDefault(p => p.Id == id);
        if (parked is null)
            return Results.Problem(LedgerProblems.Create(StatusCodes.Status404NotFound, "reaction.not-parked", $"No parked reaction {id}.", "id"));
        try
        {
            await processor.RetryAsync(parked, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Results.Problem(LedgerProblems.Create(StatusCodes.Status409Conflict, "reaction.failed-again",
                $"Reaction {parked.Reactor} to event {parked.EventId} failed again: {e.Message}", "id"));
        }
        await store.RemoveParkedAsync(id, ct);
        return Results.Ok(new { parked.Id, parked.Reactor, parked.EventId, retried = true });
    }
}
