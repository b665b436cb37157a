using System.Security.Claims;
using Ledger.Api.Security;
using Microsoft.AspNetCore.Authorization;

namespace Ledger.Api.Console;

[Authorize(AuthenticationSchemes = ConsoleAuthentication.SchemeName)]
public sealed class IndexModel : ConsolePage
{
    public string Role => User.FindFirst(ClaimTypes.Role)?.Value ?? "";

    /// <summary>The pages of the signed-in role (the same roles each page's own authorization names).</summary>
    public IReadOnlyList<(string Path, string Name, string What)> Pages => Role switch
    {
        LedgerRoles.Finance =>
        [
            ("/console/reconciliation", "Reconciliation worklist", "open discrepancies to clear, the resolved history, CSV"),
            ("/console/revenue", "Revenue", "accepted, ordered and billed per CRM and month"),
        ],
        LedgerRoles.Approver => [("/console/approvals", "Approval inbox", "pending approvals, oldest first: grant, deny, escalate")],
        LedgerRoles.Auditor => [("/console/timeline", "Quote timeline", "every event of a quote, as of any instant, with its hash chains verified")],
        LedgerRoles.Admin =>
        [
            ("/console/projections", "Projections", "positions, lag, rebuilds"),
            ("/console/revenue", "Revenue", "accepted, ordered and billed per CRM and month"),
        ],
        _ => [],
    };

    public void OnGet() { }
}
