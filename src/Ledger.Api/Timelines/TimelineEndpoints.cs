using Ledger.Api.Problems;
using Ledger.Api.Security;
using Ledger.Application.Timelines;
using Microsoft.AspNetCore.Authorization;
using NodaTime;
using NodaTime.Text;
using Wolverine.Http;
using Ledger.Domain.Common;

namespace Ledger.Api.Timelines;

/// <summary>Auditors read a quote's full history from the system of record, as of any instant, and verify its hash chains.</summary>
public static class TimelineEndpoints
{
    private const int MaxPage = 1000;

    /// <param name="asOf">An ISO instant (e.g. 2026-03-10T14:00:00Z): events recorded after it are left out, and the state is folded up to it.</param>
    /// <param name="after">The global position to continue after (the previous page's <c>nextAfter</c>).</param>
    [WolverineGet("/quotes/{quoteId}/timeline"), Authorize(Roles = LedgerRoles.Auditor)]
    public static async Task<IResult> Get(string quoteId, string? asOf, ulong? after, int? limit, QuoteTimeline timeline, CancellationToken ct)
    {
        Instant? instant = null;
        if (asOf is { Length: > 0 })
        {
            var parsed = InstantPattern.ExtendedIso.Parse(asOf);
            if (!parsed.Success)
                return Results.Problem(LedgerProblems.Create(StatusCodes.Status400BadRequest, "timeline.as-of-invalid",
                    "asOf must be an ISO 8601 instant in UTC, e.g. 2026-03-10T14:00:00Z.", "asOf"));
            instant = parsed.Value;
        }
        if (limit is < 1 or > MaxPage)
            return Results.Problem(LedgerProblems.Create(StatusCodes.Status400BadRequest, "timeline.limit-out-of-range", $"limit is between 1 and {MaxPage}.", "limit"));

        var page = await timeline.ReadAsync(new QuoteId(quoteId), instant, after ?? 0, limit ?? 200, ct);
        return page is null ? NotFound(quoteId) : Results.Ok(page);
    }

    /// <summary>Every event one command caused, across the quote's streams (e.g. an approval grant and the quote's approval).</summary>
    [WolverineGet("/quotes/{quoteId}/timeline/commands/{causationId}"), Authorize(Roles = LedgerRoles.Auditor)]
    public static async Task<IResult> CausedBy(string quoteId, string causationId, QuoteTimeline timeline, CancellationToken ct) =>
        await timeline.CausedByAsync(new QuoteId(quoteId), causationId, ct) is { Count: > 0 } entries
            ? Results.Ok(entries)
            : Results.Problem(LedgerProblems.Create(StatusCodes.Status404NotFound, "timeline.command-unknown",
                $"No event of quote {quoteId} was caused by {causationId}.", "causationId"));

    [WolverineGet("/quotes/{quoteId}/timeline/verify"), Authorize(Roles = LedgerRoles.Auditor)]
    public static async Task<IResult> Verify(string quoteId, QuoteTimeline timeline, CancellationToken ct) =>
        await timeline.VerifyAsync(new QuoteId(quoteId), ct) is { } reports
            ? Results.Ok(new { quoteId, intact = reports.All(r => r.Intact), streams = reports })
            : NotFound(quoteId);

    /// <summary>
    /// A contract's whole history for auditors (ADR/0021): the quote it came from, its order and billing, the contract's
    /// changes, their approvals and billing handoffs, and its renewal quotes; the same timeline as its quote's.
    /// </summary>
    [WolverineGet("/contracts/{contractId}/timeline"), Authorize(Roles = LedgerRoles.Auditor)]
    public static async Task<IResult> ContractTimeline(string contractId, string? asOf, ulong? after, int? limit, QuoteTimeline timeline, CancellationToken ct) =>
        await timeline.QuoteOfContractAsync(new ContractId(contractId), ct) is { } quoteId
            ? await Get(quoteId, asOf, after, limit, timeline, ct)
            : Results.Problem(LedgerProblems.Create(StatusCodes.Status404NotFound, "contract.not-found", $"Contract {contractId} has no events.", "contractId"));

    private static IResult NotFound(string quoteId) =>
        Results.Problem(LedgerProblems.Create(StatusCodes.Status404NotFound, "quote.not-found", $"Quote {quoteId} has no events.", "quoteId"));
}
