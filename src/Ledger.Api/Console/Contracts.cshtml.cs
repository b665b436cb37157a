using Ledger.Api.Security;
using Ledger.Projections.Contracts;
using Ledger.Projections.Reconciliation;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Api.Console;

/// <summary>
/// The contracts (ADR/0021) from reconciliation's contract model (ADR/0029: it also has the contracts billing reported but the
/// ledger never started): terms now, every change made to them, and the open discrepancies the reconciliation list shows
/// for each (the list's own query, so the page and <c>/reconciliation/discrepancies</c> agree).
/// </summary>
[Authorize(AuthenticationSchemes = ConsoleAuthentication.SchemeName, Roles = $"{LedgerRoles.Finance},{LedgerRoles.Admin}")]
public sealed class ContractsModel(IQuerySession session, DiscrepancyQuery discrepancies) : ConsolePage
{
    public const int MaxRows = 500;

    [BindProperty(SupportsGet = true, Name = "crm")] public string? CrmFilter { get; set; }

    public IReadOnlyList<ContractReconciliation> Contracts { get; private set; } = [];
    public IReadOnlyList<string> Crms { get; private set; } = [];
    public int Total { get; private set; }

    /// <summary>Open discrepancies by contract id, their rule codes in order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Open { get; private set; } = new Dictionary<string, IReadOnlyList<string>>();

    public async Task OnGetAsync(CancellationToken ct)
    {
        Crms = (await session.Query<ContractReconciliation>().Where(v => v.SourceCrm != null).Select(v => v.SourceCrm!).Distinct().ToListAsync(ct)).Order(StringComparer.Ordinal).ToList();
        // A contract never started (billing reported a change of it: QTC-12) has no CRM; it is listed too.
        var query = session.Query<ContractReconciliation>().AsQueryable();
        if (!string.IsNullOrWhiteSpace(CrmFilter)) query = query.Where(v => v.SourceCrm == CrmFilter);
        Total = await query.CountAsync(ct);
        Contracts = await query.OrderBy(v => v.Id).Take(MaxRows).ToListAsync(ct);
        var open = await discrepancies.ListAsync(new DiscrepancyFilter("open", Crm: string.IsNullOrWhiteSpace(CrmFilter) ? null : CrmFilter), 1, ViewMaxPage, ct);
        Open = open.Items.Where(r => Ledger.Domain.Contracts.ContractDecider.IsContractId(r.Subject))
            .GroupBy(r => r.Subject).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(r => r.Rule).Order(StringComparer.Ordinal).ToList());
    }

    private const int ViewMaxPage = Ledger.Api.Views.ViewEndpoints.MaxPageSize;
}
