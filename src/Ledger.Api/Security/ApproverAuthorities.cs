using Ledger.Application.Commands;
using Ledger.Domain.Approvals;
using NodaTime.Text;

namespace Ledger.Api.Security;

/// <summary>
/// The configured seed of the approvers registry (ADR/0023): which approval levels each authenticated principal (an API
/// client's name, a token's subject) may decide until the <c>approvers</c> stream holds anything, from <c>Ledger:Approvers:&lt;principal&gt;</c>: <c>Levels</c> (<c>DealDesk,VicePresident</c>) and <c>Delegations:&lt;n&gt;</c>
/// with <c>To</c>, <c>Levels</c>, <c>FirstDay</c> and <c>LastDay</c> (ISO dates, UTC, both included). Read once at start-up:
/// a level or date that does not read stops the host rather than refusing every approval.
/// </summary>
public sealed class ApproverAuthorities
{
    private readonly Dictionary<string, IReadOnlyList<ApprovalLevel>> _levels = new(StringComparer.Ordinal);
    private readonly List<(string Id, string To, ApprovalDelegation Delegation)> _delegations = [];

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
                _delegations.Add(($"config-{approver.Key}-{delegation.Key}", to, new ApprovalDelegation(approver.Key, levels, Day(delegation, "FirstDay", where), Day(delegation, "LastDay", where))));
            }
    }

    /// <summary>
    /// The configuration as the approvers registry's seed (ADR/0023): appended once, when the <c>approvers</c> stream is still
    /// empty; from then on the stream decides, and admins change it through <c>/approvers</c>.
    /// </summary>
    public SeedApprovers Seed() => new(
        _levels.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => new SeededApprover(a.Key, a.Value)).ToList(),
        _delegations.Select(d => new DelegationGranted(d.Id, d.Delegation.From, d.To, d.Delegation.Levels, d.Delegation.FirstDay, d.Delegation.LastDay,
            "configuration", NodaTime.Instant.MinValue)).ToList());

    /// <summary>The registry as stored, or, while nothing is stored, as the configuration would seed it.</summary>
    public ApproverRegistryState AsSeeded(ApproverRegistryState stored)
    {
        if (stored.Seeded) return stored;
        var seed = Seed();
        return ApproverRegistryDecider.Evolve(stored, new ApproversSeeded(seed.Approvers, seed.Delegations, NodaTime.Instant.MinValue));
    }

    /// <summary>
    /// Decides with the registry (consulted, not locked). While the registry is empty the decision reads the configuration,
    /// which is appended as the registry's first event only if the decision appended something: a refusal appends nothing.
    /// </summary>
    public async Task<CommandResult> DecideAsync(CommandUnit unit, Func<ApproverRegistryState, Task<CommandResult>> decide, CancellationToken ct)
    {
        var stored = await unit.Consult(Streams.Approvers, ct);
        var result = await decide(AsSeeded(stored));
        // Two first decisions at once: one seed lands, the other unit conflicts and is retried on the seeded registry.
        if (!stored.Seeded && result is CommandResult.Appended) await unit.Decide(Streams.Approvers, _ => Seed(), ct);
        return result;
    }

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
