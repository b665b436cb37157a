using Ledger.Api.Commands;
using Ledger.Api.Problems;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Application.Crm;
using Ledger.Domain.Common;
using Ledger.Domain.Quotes;
using Ledger.Domain.Reconciliation;
using Microsoft.AspNetCore.Authorization;
using NodaTime;
using Wolverine.Http;

namespace Ledger.Api.Reconciliation;

public sealed record QuoteStateReport(string QuoteId, string CrmOpportunityId, QuoteStatus Status, Instant ObservedAt);

public sealed record QuoteStateReportBatch(IReadOnlyList<QuoteStateReport>? Reports);

public sealed record BillingRecordReport(
    string RecordId, string OrderId, BillingRecordKind Kind, decimal Amount, string Currency, BillingRecordStatus Status, Instant ObservedAt);

public sealed record BillingRecordBatch(IReadOnlyList<BillingRecordReport>? Records);

/// <summary>The outcome of each item of a batch, in order: appended, or unchanged because the ledger already held that fact.</summary>
public sealed record BatchAccepted(int Appended, int Unchanged, IReadOnlyList<CommandAccepted> Items);

/// <summary>
/// External facts in: what a CRM shows and what billing holds become events in their own streams, so reconciliation
/// replays like everything else. A batch is all or nothing: every item is checked before any is appended.
/// </summary>
public static class ReportEndpoints
{
    public const int MaxBatch = 500;

    [WolverinePost("/crm/{crm}/reports/quote-states"), Authorize(Roles = LedgerRoles.Crm)]
    public static async Task<IResult> ReportQuoteStates(string crm, QuoteStateReportBatch batch, CommandRunner commands, HttpContext context)
    {
        if (context.Forbids(crm) is { } forbidden) return forbidden;
        return await Run(batch.Reports, "reports", r => (Streams.CrmQuoteReport(crm, new QuoteId(r.QuoteId)), new ReportCrmQuoteState(crm, new QuoteId(r.QuoteId), r.CrmOpportunityId, r.Status, r.ObservedAt)),
            commands, context);
    }

    /// <summary>
    /// What a CRM shows of its contracts (ADR/0021), compared with the ledger's by QTC-14. Scoped as quote states are (ADR/0011).
    /// The same document the ledger pulls from a CRM configured under <c>Ledger:CrmReportPull</c> (<see cref="CrmReportPull"/>).
    /// </summary>
    [WolverinePost("/crm/{crm}/reports/contract-states"), Authorize(Roles = LedgerRoles.Crm)]
    public static async Task<IResult> ReportContractStates(string crm, ContractStateReportBatch batch, CommandRunner commands, HttpContext context)
    {
        if (context.Forbids(crm) is { } forbidden) return forbidden;
        return await Run(batch.Reports, "reports", r => (Streams.CrmContractReport(crm, new ContractId(r.ContractId ?? "")), new ReportCrmContractState(crm, new ContractId(r.ContractId!), r.Changes, r.ObservedAt)),
            commands, context);
    }

    [WolverinePost("/billing/records"), Authorize(Roles = LedgerRoles.Billing)]
    public static Task<IResult> ReportBillingRecords(BillingRecordBatch batch, CommandRunner commands, HttpContext context) =>
        Run(batch.Records, "records", r => (Streams.BillingRecord(r.RecordId ?? ""), new ReportBillingRecord(r.RecordId!, r.OrderId, r.Kind, r.Amount, r.Currency, r.Status, r.ObservedAt)),
            commands, context);

    private static async Task<IResult> Run<T>(IReadOnlyList<T>? items, string field,
        Func<T, (Stream<ReportedFactCommand, ReportedFactEvent, ReportedFactState> Stream, ReportedFactCommand Command)> report, CommandRunner commands, HttpContext context)
    {
        if (items is not { Count: > 0 and <= MaxBatch })
            return Results.Problem(LedgerProblems.Create(StatusCodes.Status400BadRequest, "report.batch-size",
                $"{field} holds 1 to {MaxBatch} items.", field));
        if (items.Any(i => i is null))
            return Results.Problem(LedgerProblems.Create(StatusCodes.Status400BadRequest, "report.item-missing", $"{field} has an empty item.", field));

        var reports = items.Select(report).ToList();
        return await commands.Answer(context, async (unit, ct) =>
        {
            // Every item is checked before any is appended; the whole batch commits as one unit.
            var loaded = new List<Loaded<ReportedFactCommand, ReportedFactEvent, ReportedFactState>>();
            var refusals = new List<(int Index, Refusal Refusal)>();
            for (var i = 0; i < reports.Count; i++)
            {
                loaded.Add(await unit.Load(reports[i].Stream, ct));
                if (CommandUnit.Check(loaded[i], reports[i].Command, unit.Now) is { } refusal) refusals.Add((i, refusal));
            }
            if (refusals.Count > 0)
            {
                var (index, first) = refusals[0];
                var problem = LedgerProblems.Create(CommandResponses.StatusOf(first.Kind), first.Code,
                    $"{refusals.Count} of {reports.Count} item(s) refused, nothing recorded. First: {field}[{index}]: {first.Message}", $"{field}[{index}].{first.Field}");
                problem.Extensions["errors"] = refusals.Select(r => new { field = $"{field}[{r.Index}].{r.Refusal.Field}", code = r.Refusal.Code, detail = r.Refusal.Message }).ToList();
                return Results.Problem(problem);
            }

            var results = new List<CommandAccepted>();
            var (appended, unchanged) = (0, 0);
            for (var i = 0; i < reports.Count; i++)
            {
                // Two items of one batch may report on one stream: the second decides on what the first appended.
                var current = reports.Take(i).Any(r => r.Stream.Id == reports[i].Stream.Id) ? await unit.Load(reports[i].Stream, ct) : loaded[i];
                var result = await unit.Decide(current, reports[i].Command, ct);
                if (result is not (CommandResult.Appended or CommandResult.Unchanged)) return result.ToHttp(context);
                if (result is CommandResult.Appended) appended++; else unchanged++;
                results.Add(result.Accepted(context));
            }
            return Results.Ok(new BatchAccepted(appended, unchanged, results));
        });
    }
}
