using Ledger.Api.Projections;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Api.Console;

/// <summary>Where each projection stands (the API's status list) and rebuilds through the API's rebuild endpoint; the page refreshes itself while one runs.</summary>
[Authorize(AuthenticationSchemes = ConsoleAuthentication.SchemeName, Roles = LedgerRoles.Admin)]
public sealed class ProjectionsModel(IDocumentStore store, ProjectionRebuilds rebuilds, CommandRunner commands) : ConsolePage
{
    public IReadOnlyList<ProjectionStatus> Statuses { get; private set; } = [];

    public bool Rebuilding => Statuses.Any(s => s.Rebuild?.Status == RebuildStatus.Running);

    public async Task OnGetAsync(CancellationToken ct) => Statuses = await ProjectionStatus.ReadAllAsync(store, rebuilds, ct);

    public async Task<IActionResult> OnPostRebuildAsync(string name, string? commandKey)
    {
        var outcome = await ConsoleCommands.RunAsync(HttpContext, commandKey, $"rebuild {name}",
            () => ProjectionEndpoints.Rebuild(name, rebuilds, commands, HttpContext));
        return Back(outcome with { Message = outcome.Succeeded ? "started; this page follows its progress." : outcome.Message }, $"Rebuild of {name}");
    }
}
