using Ledger.Api.Commands;
using Ledger.Application.Commands;
using Ledger.Api.Problems;
using Ledger.Api.Security;
using Ledger.Projections;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Ledger.Api.Projections;

public sealed record ProjectionStatus(string Name, long Position, long HighestEvent, long EventsBehind, double SecondsBehind, RebuildState? Rebuild)
{
    /// <summary>Every projection's position and lag, with its rebuild on this node if one ran (the API's list and the console's page).</summary>
    public static async Task<IReadOnlyList<ProjectionStatus>> ReadAllAsync(IDocumentStore store, ProjectionRebuilds rebuilds, CancellationToken ct) =>
        (await ProjectionLag.ReadAsync(store, ct))
            .Select(l => new ProjectionStatus(l.Projection, l.Position, l.HighestEvent, l.EventsBehind, l.Behind.TotalSeconds, rebuilds.States.GetValueOrDefault(l.Projection)))
            .ToList();
}

/// <summary>Where each projection stands, and rebuilds (what <c>ledger projections</c> calls).</summary>
public static class ProjectionEndpoints
{
    [WolverineGet("/projections"), Authorize(Roles = $"{LedgerRoles.Admin},{LedgerRoles.Finance}")]
    public static Task<IReadOnlyList<ProjectionStatus>> List(IDocumentStore store, ProjectionRebuilds rebuilds, CancellationToken ct) =>
        ProjectionStatus.ReadAllAsync(store, rebuilds, ct);

    /// <summary>202 and the status to poll; 409 while that projection is already rebuilding. A retry with the same key gets the first answer.</summary>
    [WolverinePost("/projections/{name}/rebuild"), Authorize(Roles = LedgerRoles.Admin)]
    public static Task<IResult> Rebuild(string name, ProjectionRebuilds rebuilds, CommandRunner commands, HttpContext context) =>
        commands.Answer(context, async (unit, ct) =>
        {
            // A rebuild is an effect outside the store: a retry must find the first answer before anything starts.
            await unit.ThrowIfAnswered(ct);
            if (!rebuilds.RunsDaemon) return NoDaemonHere();
            if (!ProjectionRebuilds.Exists(name))
                return Results.Problem(LedgerProblems.Create(StatusCodes.Status404NotFound, "projection.unknown",
                    $"No projection '{name}'; there are {string.Join(", ", LedgerProjections.Names)}.", "name"));
            return rebuilds.TryStart(name)
                ? Results.Accepted("/projections", rebuilds.States[name])
                : Results.Problem(LedgerProblems.Create(StatusCodes.Status409Conflict, "projection.rebuilding", $"{name} is already being rebuilt.", "name"));
        });

    /// <summary>Every projection in one pass over the events (what <c>ledger projections rebuild</c> calls); 409 while any is rebuilding.</summary>
    [WolverinePost("/projections/rebuild"), Authorize(Roles = LedgerRoles.Admin)]
    public static Task<IResult> RebuildAll(ProjectionRebuilds rebuilds, CommandRunner commands, HttpContext context) =>
        commands.Answer(context, async (unit, ct) =>
        {
            await unit.ThrowIfAnswered(ct);
            if (!rebuilds.RunsDaemon) return NoDaemonHere();
            return rebuilds.TryStartAll()
                ? Results.Accepted("/projections", LedgerProjections.Names.Select(n => rebuilds.States[n]).ToList())
                : Results.Problem(LedgerProblems.Create(StatusCodes.Status409Conflict, "projection.rebuilding", "A projection is already being rebuilt.", "name"));
        });

    /// <summary>A write-only node (<c>Ledger:Projections:RunDaemon=false</c>): the node that runs the daemon rebuilds.</summary>
    private static IResult NoDaemonHere() =>
        Results.Problem(LedgerProblems.Create(StatusCodes.Status409Conflict, "projection.no-daemon-here",
            "This node runs no projection daemon (Ledger:Projections:RunDaemon=false); ask a node that projects to rebuild."));
}
