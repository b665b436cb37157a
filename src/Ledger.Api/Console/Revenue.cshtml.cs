using Ledger.Api.Security;
using Ledger.Projections.Revenue;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Api.Console;

/// <summary>The API's revenue summary, per CRM and month, drawn as server-rendered SVG (one chart per currency: sums never mix currencies).</summary>
[Authorize(AuthenticationSchemes = ConsoleAuthentication.SchemeName, Roles = $"{LedgerRoles.Finance},{LedgerRoles.Admin}")]
public sealed class RevenueModel(RevenueSummary summary) : ConsolePage
{
    public sealed record Bar(string Month, string Crm, decimal Accepted, decimal Ordered, decimal Billed);

    [BindProperty(SupportsGet = true, Name = "crm")] public string? CrmFilter { get; set; }

    public IReadOnlyList<RevenueLine> Lines { get; private set; } = [];
    public IReadOnlyList<string> Crms { get; private set; } = [];

    /// <summary>Per currency, the (month, CRM) groups in month order, regions summed.</summary>
    public IReadOnlyList<(string Currency, IReadOnlyList<Bar> Bars)> Charts { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var all = await summary.ReadAsync(null, ct);
        Crms = all.Select(l => l.Crm).Distinct().Order(StringComparer.Ordinal).ToList();
        Lines = string.IsNullOrWhiteSpace(CrmFilter) ? all : await summary.ReadAsync(CrmFilter, ct);
        Charts = Lines.GroupBy(l => l.Currency).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, (IReadOnlyList<Bar>)g.GroupBy(l => (l.Month, l.Crm))
                .Select(m => new Bar(m.Key.Month, m.Key.Crm, m.Sum(l => l.Accepted), m.Sum(l => l.Ordered), m.Sum(l => l.Billed)))
                .OrderBy(b => b.Month, StringComparer.Ordinal).ThenBy(b => b.Crm, StringComparer.Ordinal).ToList()))
            .ToList();
    }
}
