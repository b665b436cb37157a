using Ledger.Api.Problems;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Contracts;
using Ledger.EventStore;
using Microsoft.AspNetCore.Authorization;
using NodaTime;
using Wolverine.Http;
using Ledger.Domain.Common;

namespace Ledger.Api.Contracts;

/// <param name="Version">What an amendment, renewal or cancellation names as <c>expectedVersion</c>.</param>
public sealed record ContractView(
    string ContractId, string Status, int Version, string SourceCrm, string CustomerId, string QuoteId, int QuoteRevision, string OrderId,
    string Currency, LocalDate StartDate, LocalDate EndDate, int TermMonths, bool Evergreen, IReadOnlyList<ContractLine> Lines, decimal TermNetTotal,
    LocalDate? RenewalDueFor, ContractAmendmentProposed? ProposedAmendment = null, string? RenewalQuoteId = null,
    IReadOnlyList<ContractAmendmentQuoteView>? AmendmentQuotes = null);

/// <summary>An amendment quote drafted against the contract, and the version its order made (null until its order amends the contract).</summary>
public sealed record ContractAmendmentQuoteView(string QuoteId, int BasedOnVersion, LocalDate EffectiveDate, int? AmendedVersion, string? OrderId);

public static class ContractQueryEndpoint
{
    /// <summary>The contract as the event store has it right now (folded, as quotes are): for the CRM its quote came from.</summary>
    [WolverineGet("/contracts/{contractId}"), Authorize(Roles = LedgerRoles.Crm)]
    public static async Task<IResult> Get(string contractId, IEventStore store, EventSerializer serializer, HttpContext context, CancellationToken ct)
    {
        var contract = await store.FoldAsync(serializer, Streams.Contract(new ContractId(contractId)), ct);
        if (contract.Started is not { } started)
            return Results.Problem(LedgerProblems.Create(StatusCodes.Status404NotFound, "contract.not-found", $"Contract {contractId} has not been started.", "contractId"));
        if (context.Forbids(started.SourceCrm) is { } forbidden) return forbidden;
        return Results.Ok(new ContractView(contractId, contract.Status.ToString(), contract.Version, started.SourceCrm, started.CustomerId, started.QuoteId,
            started.QuoteRevision, started.OrderId, started.Currency, contract.StartDate, contract.EndDate, started.TermMonths, started.Evergreen,
            contract.Lines, contract.TermNetTotal, contract.RenewalDueFor, contract.Proposed,
            contract.RenewalQuote?.EndDate == contract.EndDate ? contract.RenewalQuote.RenewalQuoteId : null,
            contract.AmendmentQuotes.Select(q => AmendmentQuoteOf(contract, q)).ToList()));
    }

    private static ContractAmendmentQuoteView AmendmentQuoteOf(ContractState contract, ContractAmendmentQuoted quoted)
    {
        var made = contract.AmendedByQuote.FirstOrDefault(a => a.QuoteId == quoted.QuoteId);
        return new ContractAmendmentQuoteView(quoted.QuoteId, quoted.BasedOnVersion, quoted.EffectiveDate, made?.Version, made?.OrderId);
    }
}
