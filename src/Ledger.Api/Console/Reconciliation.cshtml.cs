using Ledger.Api.Reconciliation;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Reconciliation;
using Ledger.Projections.Reconciliation;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NodaTime;

namespace Ledger.Api.Console;

/// <summary>Finance's worklist: the discrepancy list the API serves, cleared through the API's own clearing endpoints.</summary>
[Authorize(AuthenticationSchemes = ConsoleAuthentication.SchemeName, Roles = LedgerRoles.Finance)]
public sealed class ReconciliationModel(DiscrepancyQuery query, CommandRunner commands, IDocumentStore store, IClock clock) : ConsolePage
{
    public static readonly IReadOnlyList<(string Value, string Label)> Ages =
        [("", "any age"), ("1", "over 1 hour"), ("24", "over 1 day"), ("72", "over 3 days"), ("168", "over a week")];

    [BindProperty(SupportsGet = true)] public string? Rule { get; set; }
    [BindProperty(SupportsGet = true, Name = "crm")] public string? CrmFilter { get; set; }
    [BindProperty(SupportsGet = true)] public string? Owner { get; set; }
    [BindProperty(SupportsGet = true)] public double? MinAgeHours { get; set; }
    /// <summary>An ISO instant: the list as it stood then (a month-end close), read-only. Empty: now.</summary>
    [BindProperty(SupportsGet = true)] public string? AsOf { get; set; }

    /// <summary>Why <see cref="AsOf"/> was not used, when it was given and is not a past instant.</summary>
    public string? AsOfProblem { get; private set; }

    /// <summary>The instant the list is shown as of, when it is not now.</summary>
    public Instant? AsOfInstant { get; private set; }

    /// <summary>"open" (the worklist) or "resolved" (the history).</summary>
    [BindProperty(SupportsGet = true)] public string View { get; set; } = "open";

    /// <summary>Rows per page of the worklist unless <see cref="PageSize"/> says otherwise: one indexed page at a time, however long the list (issue 16).</summary>
    public const int DefaultPageSize = 50;

    [BindProperty(SupportsGet = true, Name = "size")] public int PageSize { get; set; } = DefaultPageSize;

    /// <summary>The page shown, from 1 ("page" is Razor Pages' own route value).</summary>
    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;

    /// <summary>One page of the filtered list, with its total (capped, as the API's is).</summary>
    public DiscrepancyPage Shown { get; private set; } = null!;

    public IReadOnlyList<DiscrepancyRow> Rows => Shown.Items;
    public IReadOnlyList<(string Rule, string Name, int Count, bool AtLeast)> CountsPerRule { get; private set; } = [];
    public IReadOnlyList<string> Crms { get; private set; } = [];
    public IReadOnlyList<string> Owners { get; private set; } = [];
    public int OpenTotal { get; private set; }
    public bool OpenTotalIsAtLeast { get; private set; }
    public int PageCount => Math.Max(1, (Shown.Total + PageSize - 1) / PageSize);

    public async Task OnGetAsync(CancellationToken ct)
    {
        ReadAsOf();
        PageNumber = Math.Max(1, PageNumber);
        PageSize = Math.Clamp(PageSize, 1, DiscrepancyEndpoints.MaxPageSize);
        // Counts and pages are indexed queries (ADR/0014): nothing here loads the whole list.
        var open = await query.ListAsync(new DiscrepancyFilter("open"), 1, 1, ct);
        (OpenTotal, OpenTotalIsAtLeast) = (open.Total, open.TotalIsAtLeast);
        var counts = await query.CountPerRuleAsync(new DiscrepancyFilter("open"), ct);
        CountsPerRule = DiscrepancyRules.All.Select(r => (r.Code, r.Name, counts[r.Code].Count, counts[r.Code].AtLeast)).ToList();
        Shown = await query.ListAsync(Filter(), PageNumber, PageSize, ct);
        (Crms, Owners) = await query.FacetsAsync(ct);
    }

    /// <summary>Every row of the filtered list (not only the page on screen), streamed as the API's CSV export writes them.</summary>
    public async Task<IActionResult> OnGetCsvAsync(CancellationToken ct)
    {
        ReadAsOf();
        Response.ContentType = "text/csv; charset=utf-8";
        Response.Headers.ContentDisposition = $"attachment; filename=\"discrepancies-{View}.csv\"";
        await DiscrepancyEndpoints.WriteCsvAsync(query.StreamAsync(Filter(), ct), Response.Body, ct);
        return new EmptyResult();
    }

    public Task<IActionResult> OnPostAcknowledgeAsync(string id, string? note, string? commandKey) =>
        Clear(id, $"acknowledge {id}", commandKey, note ?? "", () => DiscrepancyEndpoints.Acknowledge(id, new AcknowledgeRequest(note), commands, query, HttpContext));

    public Task<IActionResult> OnPostAssignAsync(string id, string? newOwner, string? commandKey) =>
        Clear(id, $"assign {id}", commandKey, newOwner ?? "", () => DiscrepancyEndpoints.Assign(id, new AssignRequest(newOwner ?? ""), commands, query, HttpContext));

    public Task<IActionResult> OnPostResolveAsync(string id, string? note, string? commandKey) =>
        Clear(id, $"resolve {id}", commandKey, note ?? "", () => DiscrepancyEndpoints.Resolve(id, new ResolveRequest(note ?? ""), commands, query, HttpContext));

    private async Task<IActionResult> Clear(string id, string what, string? commandKey, string input, Func<Task<IResult>> endpoint)
    {
        var outcome = await ConsoleCommands.RunAsync(HttpContext, commandKey, $"{what}\n{input}", endpoint);
        await ConsoleCommands.ReadYourWriteAsync(store, outcome, HttpContext.RequestAborted);
        return Back(outcome, $"{char.ToUpperInvariant(what[0])}{what[1..]}", new { Rule, crm = CrmFilter, Owner, MinAgeHours, View, p = PageNumber, size = PageSize });
    }

    private DiscrepancyFilter Filter() => new(View == "resolved" ? "resolved" : "open", Empty(Rule), Empty(CrmFilter), Empty(Owner),
        MinAgeHours is { } h and >= 0 ? Duration.FromHours(h) : null, AsOfInstant);

    /// <summary>The same rule as the API's <c>asOf</c>: an ISO instant, not in the future.</summary>
    private void ReadAsOf()
    {
        if (Empty(AsOf) is not { } text) return;
        if (NodaTime.Text.InstantPattern.ExtendedIso.Parse(text.Trim()) is not { Success: true } parsed)
            AsOfProblem = "As of is an ISO instant in UTC, e.g. 2026-03-31T23:59:59Z; showing the list as it is now.";
        else if (parsed.Value > clock.GetCurrentInstant())
            AsOfProblem = "As of cannot be in the future; showing the list as it is now.";
        else
            AsOfInstant = parsed.Value;
    }

    private static string? Empty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
