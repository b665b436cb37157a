using Ledger.Api.Approvals;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Approvals;
using Ledger.Domain.Quotes;
using Ledger.EventStore;
using Ledger.Projections.Approvals;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Ledger.Domain.Common;

namespace Ledger.Api.Console;

/// <summary>The deal desk's inbox: the API's approval queue, each with the quote as its events make it, decided through the API's approval endpoints.</summary>
[Authorize(AuthenticationSchemes = ConsoleAuthentication.SchemeName, Roles = LedgerRoles.Approver)]
public sealed class ApprovalsModel(ApprovalQueueQuery queue, IEventStore events, EventSerializer serializer, CommandRunner commands, IDocumentStore store)
    : ConsolePage
{
    public sealed record InboxItem(QueuedApproval Queued, QuoteState Quote);

    public IReadOnlyList<InboxItem> Items { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var items = new List<InboxItem>();
        foreach (var queued in await queue.PendingAsync(null, null, ct))
            items.Add(new InboxItem(queued, await events.FoldAsync(serializer, Streams.Quote(new QuoteId(queued.Item.QuoteId)), ct)));
        Items = items;
    }

    public Task<Microsoft.AspNetCore.Mvc.IActionResult> OnPostGrantAsync(string quoteId, int revision, ApprovalLevel level, string? reason, string? commandKey) =>
        Decide($"Grant {level} on {quoteId} r{revision}", commandKey, $"{reason}",
            () => ApprovalEndpoints.Grant(quoteId, revision, new ApprovalDecisionRequest(level, null, reason), commands, HttpContext));

    public Task<Microsoft.AspNetCore.Mvc.IActionResult> OnPostDenyAsync(string quoteId, int revision, ApprovalLevel level, string? reason, string? commandKey) =>
        Decide($"Deny {level} on {quoteId} r{revision}", commandKey, $"{reason}",
            () => ApprovalEndpoints.Deny(quoteId, revision, new ApprovalDecisionRequest(level, null, reason), commands, HttpContext));

    public Task<Microsoft.AspNetCore.Mvc.IActionResult> OnPostEscalateAsync(string quoteId, int revision, ApprovalLevel level, string? escalateTo, string? reason, string? commandKey) =>
        Decide($"Escalate {level} on {quoteId} r{revision}", commandKey, $"{escalateTo}\n{reason}",
            () => ApprovalEndpoints.Escalate(quoteId, revision, new EscalationRequest(level, escalateTo ?? "", reason ?? ""), commands, HttpContext));

    private async Task<Microsoft.AspNetCore.Mvc.IActionResult> Decide(string what, string? commandKey, string input, Func<Task<IResult>> endpoint)
    {
        var outcome = await ConsoleCommands.RunAsync(HttpContext, commandKey, $"{what}\n{input}", endpoint);
        await ConsoleCommands.ReadYourWriteAsync(store, outcome, HttpContext.RequestAborted);
        return Back(outcome, what);
    }
}
