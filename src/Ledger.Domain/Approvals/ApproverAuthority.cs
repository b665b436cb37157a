using NodaTime;

namespace Ledger.Domain.Approvals;

/// <summary>
/// What one authenticated principal may decide (ADR/0023): its own approval levels, and levels another approver
/// delegated to it for a range of days. Loaded by the caller from configuration; the decider only reads it.
/// </summary>
public sealed record ApproverAuthority(IReadOnlyList<ApprovalLevel> Levels, IReadOnlyList<ApprovalDelegation> Delegations)
{
    public static readonly ApproverAuthority None = new([], []);

    /// <summary>Whether the principal may decide <paramref name="level"/> on <paramref name="day"/> (UTC), by its own right or a delegation.</summary>
    public bool MayDecide(ApprovalLevel level, LocalDate day) => Levels.Contains(level) || Delegations.Any(d => d.Covers(level, day));
}

/// <summary>
/// <paramref name="From"/> hands its authority over <paramref name="Levels"/> to the principal from
/// <paramref name="FirstDay"/> through <paramref name="LastDay"/> (UTC days, both included).
/// </summary>
public sealed record ApprovalDelegation(string From, IReadOnlyList<ApprovalLevel> Levels, LocalDate FirstDay, LocalDate LastDay)
{
    public bool Covers(ApprovalLevel level, LocalDate day) => Levels.Contains(level) && FirstDay <= day && day <= LastDay;
}
