using NodaTime;
using NodaTime.Text;

namespace Ledger.Domain.Approvals;

/// <summary>
/// What one authenticated principal may decide (ADR/0023): its own approval levels, and levels another approver
/// delegated to it for a range of days. Loaded by the caller from configuration; the decider only reads it.
/// </summary>
public sealed record ApproverAuthority(IReadOnlyList<ApprovalLevel> Levels, IReadOnlyList<ApprovalDelegation> Delegations)
{
    public static readonly ApproverAuthority None = new([], []);

    /// <summary>Whether the principal may decide <paramref name="level"/> on <paramref name="day"/> (UTC), by its own right or a delegation.</summary>
    public bool MayDecide(ApprovalLevel level, LocalDate day) => On(level, day) is not null;

    /// <summary>
    /// The authority the principal decides <paramref name="level"/> under on <paramref name="day"/> (UTC): its own when it
    /// holds the level, else the first delegation that covers it then; null when neither does.
    /// </summary>
    public DecisionAuthority? On(ApprovalLevel level, LocalDate day) =>
        Levels.Contains(level) ? DecisionAuthority.Own
        : Delegations.FirstOrDefault(d => d.Covers(level, day)) is { } delegation ? DecisionAuthority.Delegated(delegation)
        : null;
}

public enum AuthorityKind { Own, Delegated }

/// <summary>What a decision was made on (ADR/0023): the approver's own authority, or a delegation it held that day.</summary>
/// <param name="Delegation">The delegation decided under, as it was configured then; null for the approver's own authority.</param>
public sealed record DecisionAuthority(AuthorityKind Kind, ApprovalDelegation? Delegation = null)
{
    public static readonly DecisionAuthority Own = new(AuthorityKind.Own);

    public static DecisionAuthority Delegated(ApprovalDelegation delegation) => new(AuthorityKind.Delegated, delegation);

    /// <summary>For people: <c>own authority</c>, or <c>delegated by carla.cfo (Cfo, 2026-03-04 to 2026-03-10)</c>.</summary>
    public override string ToString() => Delegation is { } d
        ? $"delegated by {d.From} ({string.Join(", ", d.Levels)}, {LocalDatePattern.Iso.Format(d.FirstDay)} to {LocalDatePattern.Iso.Format(d.LastDay)})"
        : "own authority";
}

/// <summary>
/// <paramref name="From"/> hands its authority over <paramref name="Levels"/> to the principal from
/// <paramref name="FirstDay"/> through <paramref name="LastDay"/> (UTC days, both included).
/// </summary>
public sealed record ApprovalDelegation(string From, IReadOnlyList<ApprovalLevel> Levels, LocalDate FirstDay, LocalDate LastDay)
{
    public bool Covers(ApprovalLevel level, LocalDate day) => Levels.Contains(level) && FirstDay <= day && day <= LastDay;
}
