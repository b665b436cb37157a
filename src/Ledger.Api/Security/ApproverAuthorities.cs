using Ledger.Domain.Approvals;
using NodaTime.Text;

namespace Ledger.Api.Security;

/// <summary>
/// Which approval levels each authenticated principal (an API client's name, a token's subject) may decide (ADR/0023),
/// from <c>Ledger:Approvers:&lt;principal&gt;</c>: <c>Levels</c> (<c>DealDesk,VicePresident</c>) and <c>Delegations:&lt;n&gt;</c>
/// with <c>To</c>, <c>Levels</c>, <c>FirstDay</c> and <c>LastDay</c> (ISO dates, UTC, both included). Read once at start-up:
/// a level or date that does not read stops the host rather than refusing every approval.
/// </summary>
public sealed class ApproverAuthorities
{
    private readonly Dictionary<string, IReadOnlyList<ApprovalLevel>> _levels = new(StringComparer.Ordinal);
    private readonly List<(string To, ApprovalDelegation Delegation)> _delegations = [];

    public ApproverAuthorities(IConfiguration configuration)
    {
        foreach (var approver in configuration.GetSection("Ledger:Approvers").GetChildren())
            _levels[approver.Key] = Levels(approver.GetSection("Levels"), approver.Key);
        foreach (var approver in configuration.GetSection("Ledger:Approvers").GetChildren())
            foreach (var delegation in approver.GetSection("Delegations").GetChildren())
            {
                var where = $"Ledger:Approvers:{approver.Key}:Delegations:{delegation.Key}";
                var levels = Levels(delegation.GetSection("Levels"), where);
                // Nobody hands on authority they do not hold.
                if (levels.Where(l => !_levels[approver.Key].Contains(l)).ToList() is [var notHeld, ..])
                    throw new InvalidOperationException($"{where} delegates {notHeld}, which {approver.Key} does not hold.");
                var to = delegation["To"] is { Length: > 0 } name ? name : throw new InvalidOperationException($"{where} names no To.");
                _delegations.Add((to, new ApprovalDelegation(approver.Key, levels, Day(delegation, "FirstDay", where), Day(delegation, "LastDay", where))));
            }
    }

    /// <summary>The principal's own levels and every delegation to it; the decider judges which apply on the day.</summary>
    public ApproverAuthority For(string principal) =>
        new(_levels.GetValueOrDefault(principal, []), _delegations.Where(d => d.To == principal).Select(d => d.Delegation).ToList());

    private static IReadOnlyList<ApprovalLevel> Levels(IConfigurationSection section, string where)
    {
        var names = section.Value is { } list ? list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : section.GetChildren().Select(c => c.Value ?? "").ToArray();
        return names.Select(n => Enum.TryParse<ApprovalLevel>(n, ignoreCase: false, out var level) && Enum.IsDefined(level) ? level
            : throw new InvalidOperationException($"{where}: '{n}' is not an approval level ({string.Join(", ", Enum.GetNames<ApprovalLevel>())}).")).ToList();
    }

    private static NodaTime.LocalDate Day(IConfigurationSection section, string key, string where) =>
        LocalDatePattern.Iso.Parse(section[key] ?? "") is { Success: true } day ? day.Value
            : throw new InvalidOperationException($"{where}:{key} is not an ISO date (yyyy-MM-dd).");
}
