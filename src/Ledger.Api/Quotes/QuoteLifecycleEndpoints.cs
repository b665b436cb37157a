using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Application.Reference;
using Ledger.Domain.Quotes;
using Microsoft.AspNetCore.Authorization;
using NodaTime;
using Wolverine.Http;

namespace Ledger.Api.Quotes;

public sealed record PriceQuoteRequest(string? PolicyVersion);

public sealed record ReasonRequest(string Reason);

public sealed record SendQuoteRequest(string DocumentHash);

public sealed record AcceptQuoteRequest(int Revision, string AcceptanceType, string Signer);

public sealed record ExtendValidityRequest(LocalDate ValidUntil, string Reason);

/// <summary>The quote's way from draft to accepted; each endpoint is one command. What follows on the approval stream (requested, invalidated) is a reaction (ADR/0017).</summary>
public static class QuoteLifecycleEndpoints
{
    /// <summary>Prices under the named policy version, or the newest one published.</summary>
    [WolverinePost("/quotes/{quoteId}/price"), Authorize(Roles = LedgerRoles.Crm)]
    public static Task<IResult> Price(string quoteId, PriceQuoteRequest request, CommandRunner commands, ReferenceData reference, HttpContext context) =>
        commands.Answer(context, async (unit, ct) =>
        {
            var policies = await reference.Policies(unit, ct);
            var policy = request.PolicyVersion is { Length: > 0 } version ? policies.Versions.GetValueOrDefault(version) : policies.Newest;
            return await unit.DecideOnQuote(context, quoteId, _ => new PriceQuote(quoteId, policy), ct);
        });

    /// <summary>Submits under the policy the quote was priced with; when it asks for approval levels, the approval is requested by a reaction.</summary>
    [WolverinePost("/quotes/{quoteId}/submit"), Authorize(Roles = LedgerRoles.Crm)]
    public static Task<IResult> Submit(string quoteId, CommandRunner commands, ReferenceData reference, HttpContext context) =>
        commands.Answer(context, async (unit, ct) =>
        {
            var policies = await reference.Policies(unit, ct);
            return await unit.DecideOnQuote(context, quoteId, quote => new SubmitQuote(quoteId, context.User.ClientName(),
                quote.Pricing is { } p ? policies.Versions.GetValueOrDefault(p.PolicyVersion) : null), ct);
        });

    /// <summary>A new revision; the approval of the old one is invalidated by a reaction.</summary>
    [WolverinePost("/quotes/{quoteId}/revise"), Authorize(Roles = LedgerRoles.Crm)]
    public static Task<IResult> Revise(string quoteId, ReasonRequest request, CommandRunner commands, HttpContext context) =>
        QuoteCommandEndpoint.Send(commands, context, quoteId, _ => new ReviseQuote(quoteId, request.Reason, context.User.ClientName()));

    [WolverinePost("/quotes/{quoteId}/send"), Authorize(Roles = LedgerRoles.Crm)]
    public static Task<IResult> Send(string quoteId, SendQuoteRequest request, CommandRunner commands, HttpContext context) =>
        QuoteCommandEndpoint.Send(commands, context, quoteId, _ => new SendQuote(quoteId, request.DocumentHash, context.User.ClientName()));

    [WolverinePost("/quotes/{quoteId}/accept"), Authorize(Roles = LedgerRoles.Crm)]
    public static Task<IResult> Accept(string quoteId, AcceptQuoteRequest request, CommandRunner commands, HttpContext context) =>
        QuoteCommandEndpoint.Send(commands, context, quoteId, _ => new AcceptQuote(quoteId, request.Revision, request.AcceptanceType, request.Signer));

    /// <summary>A later last day for an open quote; the scheduled expiry finds it still valid and looks again then.</summary>
    [WolverinePost("/quotes/{quoteId}/extend-validity"), Authorize(Roles = LedgerRoles.Crm)]
    public static Task<IResult> ExtendValidity(string quoteId, ExtendValidityRequest request, CommandRunner commands, HttpContext context) =>
        QuoteCommandEndpoint.Send(commands, context, quoteId, _ => new ExtendQuoteValidity(quoteId, request.ValidUntil, request.Reason, context.User.ClientName()));

    [WolverinePost("/quotes/{quoteId}/withdraw"), Authorize(Roles = LedgerRoles.Crm)]
    public static Task<IResult> Withdraw(string quoteId, ReasonRequest request, CommandRunner commands, HttpContext context) =>
        QuoteCommandEndpoint.Send(commands, context, quoteId, _ => new WithdrawQuote(quoteId, request.Reason, context.User.ClientName()));

    /// <summary>Expiry normally runs as scheduled work; an administrator may also trigger it.</summary>
    [WolverinePost("/quotes/{quoteId}/expire"), Authorize(Roles = LedgerRoles.Admin)]
    public static Task<IResult> Expire(string quoteId, CommandRunner commands, HttpContext context) =>
        QuoteCommandEndpoint.Send(commands, context, quoteId, _ => new ExpireQuote(quoteId));
}
