using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Approvals;
using Ledger.Domain.Quotes;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Ledger.Api.Quotes;

public sealed record PriceQuoteRequest(string? PolicyVersion);

public sealed record ReasonRequest(string Reason);

public sealed record SendQuoteRequest(string DocumentHash);

public sealed record AcceptQuoteRequest(int Revision, string AcceptanceType, string Signer);

/// <summary>The quote's way from draft to accepted; each endpoint is one command (submit and revise also touch the approval stream).</summary>
public static class QuoteLifecycleEndpoints
{
    /// <summary>Prices under the named policy version, or the newest one published.</summary>
    [WolverinePost("/quotes/{quoteId}/price"), Authorize(Roles = LedgerRoles.Crm)]
    public static async Task<IResult> Price(string quoteId, PriceQuoteRequest request, StreamCommands streams, HttpContext context, CancellationToken ct)
    {
        var policies = await streams.LoadPolicies(ct);
        var policy = request.PolicyVersion is { Length: > 0 } version
            ? policies.Versions.GetValueOrDefault(version)
            : policies.Versions.Values.MaxBy(p => p.PublishedAt);
        return await QuoteCommandEndpoint.Send(context, streams, quoteId, _ => new PriceQuote(quoteId, policy), ct);
    }

    /// <summary>Submits; when the policy asks for approval levels, the approval of this revision is requested too.</summary>
    [WolverinePost("/quotes/{quoteId}/submit"), Authorize(Roles = LedgerRoles.Crm)]
    public static async Task<IResult> Submit(string quoteId, StreamCommands streams, HttpContext context, CancellationToken ct)
    {
        var policies = await streams.LoadPolicies(ct);
        var outcome = await QuoteCommandEndpoint.Run(context, streams, quoteId,
            quote => new SubmitQuote(quoteId, context.User.ClientName(), quote.Pricing is { } p ? policies.Versions.GetValueOrDefault(p.PolicyVersion) : null), ct);
        if (!outcome.Applied) return outcome.Http;

        // Also on a retry: a crash between the two appends is healed by the retry (the request is idempotent).
        var quote = await streams.LoadQuote(quoteId, ct);
        if (quote is { Status: QuoteStatus.InApproval, SubmittedFingerprint: { } fingerprint, Draft: { } draft })
            await streams.Send(new RequestApproval(quoteId, quote.Revision, draft.Owner, fingerprint, quote.RequiredLevels, draft.Segment, draft.Region),
                context.CommandMetadata(), ct);
        return outcome.Http;
    }

    /// <summary>A new revision: the approval of the old one no longer counts and is invalidated.</summary>
    [WolverinePost("/quotes/{quoteId}/revise"), Authorize(Roles = LedgerRoles.Crm)]
    public static async Task<IResult> Revise(string quoteId, ReasonRequest request, StreamCommands streams, HttpContext context, CancellationToken ct)
    {
        var before = await streams.LoadQuote(quoteId, ct);
        var outcome = await QuoteCommandEndpoint.Run(context, streams, quoteId, _ => new ReviseQuote(quoteId, request.Reason, context.User.ClientName()), ct);
        if (outcome.Applied) await InvalidateApproval(streams, context, before, $"Quote revised: {request.Reason}", ct);
        return outcome.Http;
    }

    [WolverinePost("/quotes/{quoteId}/send"), Authorize(Roles = LedgerRoles.Crm)]
    public static Task<IResult> Send(string quoteId, SendQuoteRequest request, StreamCommands streams, HttpContext context, CancellationToken ct) =>
        QuoteCommandEndpoint.Send(context, streams, quoteId, _ => new SendQuote(quoteId, request.DocumentHash, context.User.ClientName()), ct);

    [WolverinePost("/quotes/{quoteId}/accept"), Authorize(Roles = LedgerRoles.Crm)]
    public static Task<IResult> Accept(string quoteId, AcceptQuoteRequest request, StreamCommands streams, HttpContext context, CancellationToken ct) =>
        QuoteCommandEndpoint.Send(context, streams, quoteId, _ => new AcceptQuote(quoteId, request.Revision, request.AcceptanceType, request.Signer), ct);

    [WolverinePost("/quotes/{quoteId}/withdraw"), Authorize(Roles = LedgerRoles.Crm)]
    public static async Task<IResult> Withdraw(string quoteId, ReasonRequest request, StreamCommands streams, HttpContext context, CancellationToken ct)
    {
        var before = await streams.LoadQuote(quoteId, ct);
        var outcome = await QuoteCommandEndpoint.Run(context, streams, quoteId, _ => new WithdrawQuote(quoteId, request.Reason, context.User.ClientName()), ct);
        if (outcome.Applied) await InvalidateApproval(streams, context, before, $"Quote withdrawn: {request.Reason}", ct);
        return outcome.Http;
    }

    /// <summary>Expiry normally runs as scheduled work; an administrator may also trigger it.</summary>
    [WolverinePost("/quotes/{quoteId}/expire"), Authorize(Roles = LedgerRoles.Admin)]
    public static Task<IResult> Expire(string quoteId, StreamCommands streams, HttpContext context, CancellationToken ct) =>
        QuoteCommandEndpoint.Send(context, streams, quoteId, _ => new ExpireQuote(quoteId), ct);

    private static async Task InvalidateApproval(StreamCommands streams, HttpContext context, QuoteState before, string reason, CancellationToken ct)
    {
        if (before.RequiredLevels.Count == 0 || before.Draft is null) return;
        var approval = await streams.LoadApproval(before.Draft.QuoteId, before.Revision, ct);
        if (approval.Status is ApprovalStatus.Pending or ApprovalStatus.Approved)
            await streams.Send(new InvalidateApproval(before.Draft.QuoteId, before.Revision, reason), context.CommandMetadata(), ct);
    }
}
