using Ledger.Api.Problems;
using Ledger.Application.Commands;
using Ledger.Domain.Common;

namespace Ledger.Api.Commands;

/// <summary>What a command endpoint answers when the command was applied (or already had been).</summary>
public sealed record CommandAccepted(string StreamId, long Revision, ulong Position, IReadOnlyList<string> Events, bool Replayed, string CorrelationId);

/// <summary>
/// The one mapping from a command's outcome to HTTP: applied 200 (201 with a location when it created the
/// stream), refusals by kind (validation 400, not found 404, conflict 409, rule 422), lost races 409.
/// A business refusal is never 403: that is for authorization alone.
/// </summary>
public static class CommandResponses
{
    public static IResult ToHttp(this CommandResult result, HttpContext context, string? createdLocation = null) => result switch
    {
        CommandResult.Appended a when createdLocation is not null && a.Revision == a.EventTypes.Count - 1 =>
            Results.Created(createdLocation, Accepted(a, context)),
        CommandResult.Appended or CommandResult.Unchanged => Results.Ok(result.Accepted(context)),
        CommandResult.Refused r => Results.Problem(LedgerProblems.Create(StatusOf(r.Refusal.Kind), r.Refusal.Code, r.Refusal.Message, r.Refusal.Field)),
        CommandResult.ConcurrencyConflict c => Results.Problem(LedgerProblems.Create(StatusCodes.Status409Conflict,
            "stream.concurrency-conflict",
            $"{c.StreamId} kept changing while this command was decided ({c.Attempts} attempts); load it again and retry.")),
        _ => throw new InvalidOperationException($"Unknown command result {result.GetType().Name}."),
    };

    public static int StatusOf(RefusalKind kind) => kind switch
    {
        RefusalKind.Validation => StatusCodes.Status400BadRequest,
        RefusalKind.NotFound => StatusCodes.Status404NotFound,
        RefusalKind.Conflict => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status422UnprocessableEntity,
    };

    private static CommandAccepted Accepted(CommandResult.Appended a, HttpContext context) =>
        new(a.StreamId, a.Revision, a.Position.Value, a.EventTypes, a.Replayed, context.CorrelationIdOrEmpty());

    /// <summary>The body of a successful result (appended or unchanged), for endpoints that answer several at once.</summary>
    public static CommandAccepted Accepted(this CommandResult result, HttpContext context) => result switch
    {
        CommandResult.Appended a => Accepted(a, context),
        CommandResult.Unchanged u => new CommandAccepted(u.StreamId, u.Revision, 0, [], false, context.CorrelationIdOrEmpty()),
        CommandResult.Refused or CommandResult.ConcurrencyConflict or _ => throw new InvalidOperationException($"{result.GetType().Name} is not a success."),
    };

    private static string CorrelationIdOrEmpty(this HttpContext context) =>
        context.Items[Correlation.CorrelationMiddleware.Header] as string ?? "";
}
