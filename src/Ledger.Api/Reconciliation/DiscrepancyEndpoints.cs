using System.Globalization;
using System.Text;
using Ledger.Api.Commands;
using Ledger.Api.Problems;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Reconciliation;
using Ledger.Projections.Reconciliation;
using Microsoft.AspNetCore.Authorization;
using NodaTime;
using NodaTime.Text;
using Wolverine.Http;

namespace Ledger.Api.Reconciliation;

public sealed record AcknowledgeRequest(string? Note);

public sealed record AssignRequest(string Owner);

public sealed record ResolveRequest(string Reason);

/// <summary>
/// Finance's reconciliation list, read from the projections (ADR/0014), and the clearing commands that write to
/// each discrepancy's own stream. A CRM integration sees only the discrepancies of its CRM.
/// </summary>
public static class DiscrepancyEndpoints
{
    public const int MaxPageSize = 500;
    private const string Readers = $"{LedgerRoles.Finance},{LedgerRoles.Admin},{LedgerRoles.Auditor},{LedgerRoles.Crm}";

    /// <summary>
    /// JSON by default; CSV with <c>format=csv</c> or <c>Accept: text/csv</c> (every matching row, no paging). <c>asOf</c> (an ISO
    /// instant) gives the list as it stood then: a month-end report read again later gives the same rows.
    /// </summary>
    [WolverineGet("/reconciliation/discrepancies"), Authorize(Roles = Readers)]
    public static async Task<IResult> List(string? status, string? rule, string? crm, string? owner, double? minAgeHours, int? page, int? pageSize,
        string? format, string? asOf, DiscrepancyQuery query, IClock clock, HttpContext context, CancellationToken ct)
    {
        Instant? instant = null;
        if (asOf is not null)
        {
            if (InstantPattern.ExtendedIso.Parse(asOf) is not { Success: true } parsed)
                return Results.Problem(LedgerProblems.Create(StatusCodes.Status400BadRequest, "query.invalid",
                    "asOf is an ISO 8601 instant in UTC, e.g. 2026-03-31T23:59:59Z.", "asOf"));
            if (parsed.Value > clock.GetCurrentInstant())
                return Results.Problem(LedgerProblems.Create(StatusCodes.Status400BadRequest, "query.invalid",
                    "asOf is not in the future: the ledger cannot say yet what will be open then.", "asOf"));
            instant = parsed.Value;
        }
        if (context.User.Crm() is { } own)
        {
            if (context.Forbids(crm) is { } forbidden) return forbidden;
            crm = own;
        }
        if (Invalid(status, rule, minAgeHours, page, pageSize, format) is { } problem) return problem;
        var filter = new DiscrepancyFilter(status ?? "open", rule, crm, owner, minAgeHours is { } h ? Duration.FromHours(h) : null, instant);
        var csv = format == "csv" || format is null && context.Request.Headers.Accept.ToString().Contains("text/csv", StringComparison.OrdinalIgnoreCase);
        // The CSV streams: each row is written as PostgreSQL sends it, so a list of any length costs the API one row of memory.
        if (csv) return Results.Stream(body => WriteCsvAsync(query.StreamAsync(filter, ct), body, ct), "text/csv; charset=utf-8");
        return Results.Ok(await query.ListAsync(filter, page ?? 1, pageSize ?? 50, ct));
    }

    [WolverineGet("/reconciliation/discrepancies/{id}"), Authorize(Roles = Readers)]
    public static async Task<IResult> Get(string id, DiscrepancyQuery query, HttpContext context, CancellationToken ct)
    {
        var found = await FindAsync(id, query, ct);
        if (found.Row is not { } row) return found.Problem!;
        return context.User.Crm() is { } crm && !row.Crms.Contains(crm) ? NotFound(id) : Results.Ok(row);
    }

    [WolverinePost("/reconciliation/discrepancies/{id}/acknowledge"), Authorize(Roles = LedgerRoles.Finance)]
    public static Task<IResult> Acknowledge(string id, AcknowledgeRequest request, CommandRunner commands, DiscrepancyQuery query, HttpContext context) =>
        Clear(id, d => new AcknowledgeDiscrepancy(d, context.User.ClientName(), request.Note ?? ""), commands, query, context);

    [WolverinePost("/reconciliation/discrepancies/{id}/assign"), Authorize(Roles = LedgerRoles.Finance)]
    public static Task<IResult> Assign(string id, AssignRequest request, CommandRunner commands, DiscrepancyQuery query, HttpContext context) =>
        Clear(id, d => new AssignDiscrepancy(d, context.User.ClientName(), request.Owner ?? ""), commands, query, context);

    [WolverinePost("/reconciliation/discrepancies/{id}/resolve"), Authorize(Roles = LedgerRoles.Finance)]
    public static Task<IResult> Resolve(string id, ResolveRequest request, CommandRunner commands, DiscrepancyQuery query, HttpContext context) =>
        Clear(id, d => new ResolveDiscrepancy(d, context.User.ClientName(), request.Reason ?? ""), commands, query, context);

    /// <summary>Finance clears what the list shows: an id the view does not hold (or not yet) is 404, and nothing is written.</summary>
    private static Task<IResult> Clear(string id, Func<DiscrepancyId, DiscrepancyCommand> command, CommandRunner commands, DiscrepancyQuery query,
        HttpContext context) =>
        commands.Answer(context, async (unit, ct) =>
        {
            var found = await FindAsync(id, query, ct);
            if (found.Row is null) return found.Problem!;
            return (await unit.Decide(Streams.DiscrepancyClearing(found.Id!), _ => command(found.Id!), ct)).ToHttp(context);
        });

    private static async Task<(DiscrepancyId? Id, DiscrepancyRow? Row, IResult? Problem)> FindAsync(string id, DiscrepancyQuery query, CancellationToken ct)
    {
        if (!DiscrepancyId.TryParse(id, out var parsed))
            return (null, null, Results.Problem(LedgerProblems.Create(StatusCodes.Status400BadRequest, "discrepancy.id-invalid",
                $"'{id}' is not a discrepancy id: rule:occurrence:subject, e.g. QTC-05:1:Q-1001.", "id")));
        return await query.FindAsync(parsed, ct) is { } row ? (parsed, row, null) : (parsed, null, NotFound(id));
    }

    private static IResult NotFound(string id) =>
        Results.Problem(LedgerProblems.Create(StatusCodes.Status404NotFound, "discrepancy.not-found", $"No discrepancy {id} (yet): the list may still be catching up.", "id"));

    private static IResult? Invalid(string? status, string? rule, double? minAgeHours, int? page, int? pageSize, string? format)
    {
        string[] statuses = ["open", "all", "acknowledged", "resolved", "closed"];
        (string Field, string Message)? error =
            status is not null && !statuses.Contains(status) ? ("status", $"status is one of {string.Join(", ", statuses)}.")
            : rule is not null && !DiscrepancyRules.All.Any(r => r.Code == rule || r.Name == rule) ? ("rule", $"rule is a code (QTC-01 … QTC-{DiscrepancyRules.All.Count:00}) or a rule name.")
            : minAgeHours is < 0 or > 24 * 3660 ? ("minAgeHours", "minAgeHours is between 0 and 87840.")
            : page is < 1 ? ("page", "page starts at 1.")
            : pageSize is < 1 or > MaxPageSize ? ("pageSize", $"pageSize is 1 to {MaxPageSize}.")
            : format is not null and not ("json" or "csv") ? ("format", "format is json or csv.")
            : null;
        return error is { } e ? Results.Problem(LedgerProblems.Create(StatusCodes.Status400BadRequest, "query.invalid", e.Message, e.Field)) : null;
    }

    private const string CsvHeader = "id,rule,rule_name,severity,owner,status,subject,crms,detected_at,age_hours,expected,actual,detail,evidence\n";

    public static string Csv(IEnumerable<DiscrepancyRow> rows)
    {
        var csv = new StringBuilder(CsvHeader);
        foreach (var r in rows) AppendCsvLine(csv, r);
        return csv.ToString();
    }

    /// <summary>The header, then each row, flushed every few hundred rows: the response never holds more than that.</summary>
    public static async Task WriteCsvAsync(IAsyncEnumerable<DiscrepancyRow> rows, Stream body, CancellationToken ct)
    {
        await using var writer = new StreamWriter(body, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
        await writer.WriteAsync(CsvHeader);
        var line = new StringBuilder();
        var written = 0;
        await foreach (var r in rows.WithCancellation(ct))
        {
            AppendCsvLine(line.Clear(), r);
            await writer.WriteAsync(line, ct);
            if (++written % 500 == 0) await writer.FlushAsync(ct);
        }
        await writer.FlushAsync(ct);
    }

    private static void AppendCsvLine(StringBuilder csv, DiscrepancyRow r) =>
        csv.AppendJoin(',', new[]
        {
            r.Id, r.Rule, r.RuleName, r.Severity.ToString(), r.Owner, r.Status.ToString(), r.Subject, string.Join(' ', r.Crms),
            InstantPattern.ExtendedIso.Format(r.DetectedAt), r.Age.TotalHours.ToString("0.##", CultureInfo.InvariantCulture),
            r.Expected?.ToString() ?? "", r.Actual?.ToString() ?? "", r.Detail,
            string.Join(' ', r.Evidence.Select(e => $"{e.Stream}@{e.Position}")),
        }.Select(CsvField)).Append('\n');

    /// <summary>Quotes fields that need it, and defuses spreadsheet formulas (a leading =, +, - or @).</summary>
    private static string CsvField(string value)
    {
        if (value.Length > 0 && "=+-@".Contains(value[0])) value = "'" + value;
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"")}\"" : value;
    }
}
