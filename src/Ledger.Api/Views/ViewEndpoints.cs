using Ledger.Api.Problems;
using Ledger.Api.Security;
using Ledger.Domain.Approvals;
using Ledger.Domain.Quotes;
using Ledger.Projections.Approvals;
using Ledger.Projections.Common;
using Ledger.Projections.Contracts;
using Ledger.Projections.Quotes;
using Ledger.Projections.Revenue;
using Marten;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using NodaTime;
using Wolverine.Http;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;
using Ledger.Domain.Common;

namespace Ledger.Api.Views;

public sealed record ViewPage<T>(IReadOnlyList<T> Items, int Total, int Page, int PageSize);

/// <summary>
/// How a quote relates to the contract its CRM view shows: its order started it, it is the contract's renewal quote, or its
/// order renewed it; it is one of the contract's amendment quotes, or its order amended it (ADR/0021).
/// </summary>
public enum QuoteContractLink { Started, RenewalQuoted, Renewed, AmendmentQuoted, Amended }

/// <summary>An amendment quote of the contract: the version it amends, from when, and the version its order made (null until then).</summary>
public sealed record QuoteAmendment(string QuoteId, int BasedOnVersion, LocalDate EffectiveDate, int? AmendedVersion, string? OrderId);

/// <summary>The term a renewal quote's order made: the contract version it made, its first and last day.</summary>
public sealed record RenewedTerm(int Version, LocalDate StartDate, LocalDate EndDate, string? OrderId);

/// <summary>
/// A quote's contract in the CRM's quote view: its terms now and every change made to them (amendments, renewals, a
/// cancellation). For a renewal quote (ADR/0021) it is the contract the quote renews: <c>link</c> says so, and
/// <c>renewedTerm</c> is the term its order made (the contract's latest term may be a later one).
/// </summary>
public sealed record QuoteContract(
    string ContractId, QuoteContractLink Link, string? Status, int Version, LocalDate? StartDate, LocalDate? EndDate, string? Currency, decimal TermNetTotal,
    IReadOnlyList<Ledger.Domain.Contracts.ContractLine> Lines, IReadOnlyList<ContractChangeMade> Changes, RenewedTerm? RenewedTerm, EventRef? Through,
    IReadOnlyList<QuoteAmendment>? AmendmentQuotes = null)
{
    public static QuoteContract Of(ContractView v, string quoteId)
    {
        var renewal = v.RenewalQuotes.FirstOrDefault(r => r.QuoteId == quoteId);
        var amendment = v.AmendmentQuotes.FirstOrDefault(a => a.QuoteId == quoteId);
        var (link, term) = renewal switch
        {
            null when amendment is not null => (amendment.AmendedVersion is null ? QuoteContractLink.AmendmentQuoted : QuoteContractLink.Amended, null),
            null => (QuoteContractLink.Started, null),
            { RenewedVersion: { } version } r => (QuoteContractLink.Renewed, new RenewedTerm(version, r.TermStartDate!.Value, r.TermEndDate!.Value, r.OrderId)),
            _ => (QuoteContractLink.RenewalQuoted, (RenewedTerm?)null),
        };
        return new(v.Id, link, v.Status?.Value.ToString(), v.ContractVersion, v.StartDate, v.EndDate, v.Currency, v.TermNetTotal, v.Lines, v.ChangesMade,
            term, v.Through,
            v.AmendmentQuotes.Select(a => new QuoteAmendment(a.QuoteId, a.BasedOnVersion, a.EffectiveDate, a.AmendedVersion, a.OrderId)).ToList());
    }

    /// <summary>
    /// The contract a quote's CRM view shows: the one its order started, else the one whose renewal or amendment quote it is (its id names
    /// a candidate, <c>Q-1-RN2</c> → <c>ctr-Q-1</c>; the contract's own note of the quotes it drafted decides). The CRM's own only.
    /// </summary>
    public static async Task<QuoteContract?> FindAsync(IQuerySession session, string crm, string quoteId, CancellationToken ct)
    {
        if (await session.LoadAsync<ContractView>(Ledger.Domain.Contracts.ContractDecider.ContractIdFor(new QuoteId(quoteId)).Value, ct) is { } started)
            return started.SourceCrm == crm ? Of(started, quoteId) : null;
        if (Ledger.Domain.Contracts.ContractState.RenewedContractIdOf(new QuoteId(quoteId)) is { } candidate
            && await session.LoadAsync<ContractView>(candidate.Value, ct) is { } renewed && renewed.SourceCrm == crm
            && renewed.RenewalQuotes.Any(r => r.QuoteId == quoteId))
            return Of(renewed, quoteId);
        // An amendment quote (Q-1-AM1 → ctr-Q-1) shows the contract it amends, when the contract noted it.
        return Ledger.Domain.Contracts.AmendmentQuotes.AmendedContractIdOf(new QuoteId(quoteId)) is { } amendedId
               && await session.LoadAsync<ContractView>(amendedId.Value, ct) is { } amended && amended.SourceCrm == crm
               && amended.AmendmentQuotes.Any(a => a.QuoteId == quoteId)
            ? Of(amended, quoteId)
            : null;
    }
}

/// <summary>
/// The read models (Marten projections, eventually consistent: each value says which event it reflects). The
/// write side never reads them; auditors read the event store instead (the timeline).
/// </summary>
public static class ViewEndpoints
{
    public const int MaxPageSize = 500;

    /// <summary>One CRM's quotes under its own ids, with the canonical customer and everything downstream of the quote a CRM sees; nothing of reconciliation (ADR/0029).</summary>
    [WolverineGet("/crm/{crm}/quotes"), Authorize(Roles = $"{LedgerRoles.Crm},{LedgerRoles.Finance},{LedgerRoles.Admin}")]
    public static async Task<IResult> CrmQuotes(string crm, QuoteStatus? status, int? page, int? pageSize, IQuerySession session, HttpContext context, CancellationToken ct)
    {
        if (context.Forbids(crm) is { } forbidden) return forbidden;
        if (Paging(page, pageSize) is { } invalid) return invalid;
        var (p, size) = (page ?? 1, pageSize ?? 50);
        var query = session.Query<QuoteView>().Where(x => x.SourceCrm == crm);
        if (status is { } s) query = query.Where(x => x.Status!.Value == s);
        var total = await query.CountAsync(ct);
        var items = await query.OrderBy(x => x.Id).Skip((p - 1) * size).Take(size).ToListAsync(ct);
        return Results.Ok(new ViewPage<QuoteView>(items, total, p, size));
    }

    /// <summary>
    /// One quote of the CRM's, with <c>contract</c>: the contract its order started, or the one it renews or renewed (a
    /// renewal quote), and the changes made to it since (ADR/0021), from the contract view; null when the quote has none
    /// (or the view has not caught up yet).
    /// </summary>
    [WolverineGet("/crm/{crm}/quotes/{quoteId}"), Authorize(Roles = $"{LedgerRoles.Crm},{LedgerRoles.Finance},{LedgerRoles.Admin}")]
    public static async Task<IResult> CrmQuote(string crm, string quoteId, IQuerySession session, IOptions<JsonOptions> json, HttpContext context,
        CancellationToken ct)
    {
        if (context.Forbids(crm) is { } forbidden) return forbidden;
        // Another CRM's quote is "not found" in this CRM's view: the view is the CRM's, not the ledger's.
        if (await session.LoadAsync<QuoteView>(quoteId, ct) is not { } view || view.SourceCrm != crm)
            return Results.Problem(LedgerProblems.Create(StatusCodes.Status404NotFound, "quote.not-in-view",
                $"{crm}'s view has no quote {quoteId} (or has not caught up with it yet).", "quoteId"));
        var contract = await QuoteContract.FindAsync(session, crm, quoteId, ct);
        var body = JsonSerializer.SerializeToNode(view, json.Value.SerializerOptions)!.AsObject();
        body["contract"] = JsonSerializer.SerializeToNode(contract, json.Value.SerializerOptions);
        return Results.Ok(body);
    }

    /// <summary>Pending approvals, oldest wait first, optionally for one level or approver group.</summary>
    [WolverineGet("/approvals/queue"), Authorize(Roles = $"{LedgerRoles.Approver},{LedgerRoles.Finance},{LedgerRoles.Admin}")]
    public static async Task<IResult> ApprovalQueue(ApprovalLevel? level, string? group, int? page, int? pageSize, ApprovalQueueQuery approvals, CancellationToken ct)
    {
        if (Paging(page, pageSize) is { } invalid) return invalid;
        var (p, size) = (page ?? 1, pageSize ?? 50);
        var queued = await approvals.PendingAsync(level, group, ct);
        return Results.Ok(new ViewPage<QueuedApproval>(queued.Skip((p - 1) * size).Take(size).ToList(), queued.Count, p, size));
    }

    [WolverineGet("/revenue/summary"), Authorize(Roles = $"{LedgerRoles.Finance},{LedgerRoles.Admin}")]
    public static async Task<IResult> Revenue(string? crm, string? customer, RevenueSummary summary, CancellationToken ct) =>
        Results.Ok(await summary.ReadAsync(crm, ct, customer));

    private static IResult? Paging(int? page, int? pageSize) =>
        page is < 1 ? Results.Problem(LedgerProblems.Create(StatusCodes.Status400BadRequest, "query.invalid", "page starts at 1.", "page"))
        : pageSize is < 1 or > MaxPageSize ? Results.Problem(LedgerProblems.Create(StatusCodes.Status400BadRequest, "query.invalid", $"pageSize is 1 to {MaxPageSize}.", "pageSize"))
        : null;
}
