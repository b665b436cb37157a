using System.Collections.Immutable;
using Ledger.Domain.Common;
using NodaTime;

namespace Ledger.Domain.Approvals;

/// <param name="By">Who changes the registry: the admin principal, or <c>configuration</c>.</param>
[Closed]
public abstract record ApproverRegistryCommand(string By)
{
    /// <summary>The configuration to seed the registry with first, should it still be empty (then both are appended together).</summary>
    public SeedApprovers? Seed { get; init; }
}

/// <summary>
/// The configuration's approvers and delegations, appended once when the registry is empty (ADR/0023): nothing once
/// anything is in the stream, so offering it with every change is safe.
/// </summary>
public sealed record SeedApprovers(IReadOnlyList<SeededApprover> Approvers, IReadOnlyList<DelegationGranted> Delegations) : ApproverRegistryCommand("configuration");

public sealed record AuthoriseApprover(string Principal, IReadOnlyList<ApprovalLevel> Levels, string By) : ApproverRegistryCommand(By);

public sealed record RevokeApprover(string Principal, string Reason, string By) : ApproverRegistryCommand(By);

public sealed record GrantDelegation(string DelegationId, string From, string To, IReadOnlyList<ApprovalLevel> Levels, LocalDate FirstDay, LocalDate LastDay, string By)
    : ApproverRegistryCommand(By);

public sealed record RevokeDelegation(string DelegationId, string Reason, string By) : ApproverRegistryCommand(By);

/// <param name="Seeded">Whether the stream has any event: configuration seeds only an empty registry.</param>
/// <param name="Delegations">The live delegations by id (revoked ones, and those of a revoked approver, are gone).</param>
public sealed record ApproverRegistryState(
    bool Seeded, ImmutableDictionary<string, IReadOnlyList<ApprovalLevel>> Approvers, ImmutableDictionary<string, DelegationGranted> Delegations)
{
    public static readonly ApproverRegistryState Initial = new(false, ImmutableDictionary<string, IReadOnlyList<ApprovalLevel>>.Empty,
        ImmutableDictionary<string, DelegationGranted>.Empty);

    /// <summary>What <paramref name="principal"/> may decide: its own levels and the live delegations to it.</summary>
    public ApproverAuthority AuthorityOf(string principal) =>
        new(Approvers.GetValueOrDefault(principal, []),
            Delegations.Values.Where(d => d.To == principal).OrderBy(d => d.DelegationId, StringComparer.Ordinal).Select(d => d.AsDelegation()).ToList());
}

/// <summary>
/// The approvers registry (ADR/0023): principals and the levels they decide, and delegations of those levels for a range of
/// days. An admin changes it; configuration seeds it once. Nobody delegates a level they do not hold, or to themselves.
/// </summary>
public static class ApproverRegistryDecider
{
    public const string StreamId = "approvers";

    public static ApproverRegistryState Evolve(ApproverRegistryState state, ApproverRegistryEvent @event) => (@event switch
    {
        ApproversSeeded e => state with
        {
            Approvers = state.Approvers.SetItems(e.Approvers.Select(a => KeyValuePair.Create(a.Principal, a.Levels))),
            Delegations = state.Delegations.SetItems(e.Delegations.Select(d => KeyValuePair.Create(d.DelegationId, d))),
        },
        ApproverAuthorised e => state with { Approvers = state.Approvers.SetItem(e.Principal, e.Levels) },
        ApproverRevoked e => state with
        {
            Approvers = state.Approvers.Remove(e.Principal),
            Delegations = state.Delegations.RemoveRange(state.Delegations.Values.Where(d => d.From == e.Principal || d.To == e.Principal).Select(d => d.DelegationId)),
        },
        DelegationGranted e => state with { Delegations = state.Delegations.SetItem(e.DelegationId, e) },
        DelegationRevoked e => state with { Delegations = state.Delegations.Remove(e.DelegationId) },
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "Unknown approvers registry event."),
    }) with { Seeded = true };

    public static Decision<ApproverRegistryEvent> Decide(ApproverRegistryCommand command, ApproverRegistryState state, Instant now)
    {
        if (state.Seeded || command.Seed is not { } seed || command is SeedApprovers) return DecideOnSeeded(command, state, now);
        // An empty registry gets the configuration first, in the same append as the change it is asked for.
        var seeded = Seeded(seed, now);
        var decided = DecideOnSeeded(command, Evolve(state, seeded), now);
        return decided is Decision<ApproverRegistryEvent>.Accepted accepted ? Decision<ApproverRegistryEvent>.Of([seeded, .. accepted.Events]) : decided;
    }

    private static ApproversSeeded Seeded(SeedApprovers seed, Instant now) =>
        new(seed.Approvers, seed.Delegations.Select(d => d with { GrantedBy = seed.By, GrantedAt = now }).ToList(), now);

    private static Decision<ApproverRegistryEvent> DecideOnSeeded(ApproverRegistryCommand command, ApproverRegistryState state, Instant now) => command switch
    {
        SeedApprovers c => state.Seeded ? Decision<ApproverRegistryEvent>.Nothing : Decision<ApproverRegistryEvent>.Of(Seeded(c, now)),
        AuthoriseApprover c => Authorise(c, state, now),
        RevokeApprover c => RevokeApprover(c, state, now),
        GrantDelegation c => Delegate(c, state, now),
        RevokeDelegation c => RevokeDelegation(c, state, now),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown approvers registry command."),
    };

    private static Decision<ApproverRegistryEvent> Authorise(AuthoriseApprover c, ApproverRegistryState state, Instant now)
    {
        if (Ids.Check(("principal", c.Principal)) is { } invalid) return Prefixed(invalid);
        if (c.Levels.Count == 0)
            return Decision<ApproverRegistryEvent>.Invalid("levels", "approvers.levels-required", "An approver decides at least one level; revoke one who decides none.");
        if (c.Levels.Distinct().Count() != c.Levels.Count)
            return Decision<ApproverRegistryEvent>.Invalid("levels", "approvers.level-repeated", "Each level is listed once.");
        var levels = c.Levels.Order().ToList();
        if (state.Approvers.TryGetValue(c.Principal, out var held) && held.Order().SequenceEqual(levels)) return Decision<ApproverRegistryEvent>.Nothing;
        // A principal losing a level stops delegating it: the delegations that hand on a level it no longer holds are revoked with it.
        var lost = state.Delegations.Values.Where(d => d.From == c.Principal && d.Levels.Any(l => !levels.Contains(l)))
            .OrderBy(d => d.DelegationId, StringComparer.Ordinal)
            .Select(d => (ApproverRegistryEvent)new DelegationRevoked(d.DelegationId, $"{c.Principal} no longer holds every level it delegated", c.By, now));
        return Decision<ApproverRegistryEvent>.Of([new ApproverAuthorised(c.Principal, levels, c.By, now), .. lost]);
    }

    private static Decision<ApproverRegistryEvent> RevokeApprover(RevokeApprover c, ApproverRegistryState state, Instant now)
    {
        if (Ids.Check(("principal", c.Principal)) is { } invalid) return Prefixed(invalid);
        if (Reason(c.Reason) is { } noReason) return noReason;
        if (!state.Approvers.ContainsKey(c.Principal))
            return Decision<ApproverRegistryEvent>.Refuse(RefusalKind.NotFound, "approvers.not-authorised", $"{c.Principal} is not an approver.", "principal");
        return Decision<ApproverRegistryEvent>.Of(new ApproverRevoked(c.Principal, c.Reason, c.By, now));
    }

    private static Decision<ApproverRegistryEvent> Delegate(GrantDelegation c, ApproverRegistryState state, Instant now)
    {
        if (Ids.Check(("delegationId", c.DelegationId), ("from", c.From), ("to", c.To)) is { } invalid) return Prefixed(invalid);
        if (c.Levels.Count == 0 || c.Levels.Distinct().Count() != c.Levels.Count)
            return Decision<ApproverRegistryEvent>.Invalid("levels", "approvers.levels-required", "A delegation hands on at least one level, each once.");
        if (c.LastDay < c.FirstDay)
            return Decision<ApproverRegistryEvent>.Invalid("lastDay", "approvers.delegation-days-reversed", $"The last day {c.LastDay} is before the first {c.FirstDay}.");
        var levels = c.Levels.Order().ToList();
        var granted = new DelegationGranted(c.DelegationId, c.From, c.To, levels, c.FirstDay, c.LastDay, c.By, now);
        if (state.Delegations.TryGetValue(c.DelegationId, out var existing))
            return existing.From == granted.From && existing.To == granted.To && existing.Levels.SequenceEqual(granted.Levels)
                   && existing.FirstDay == granted.FirstDay && existing.LastDay == granted.LastDay
                ? Decision<ApproverRegistryEvent>.Nothing
                : Decision<ApproverRegistryEvent>.Refuse(RefusalKind.Conflict, "approvers.delegation-exists",
                    $"Delegation {c.DelegationId} already hands on other levels or days; revoke it or use another id.", "delegationId");
        if (c.To == c.From)
            return Decision<ApproverRegistryEvent>.Refuse(RefusalKind.RuleViolation, "approvers.delegation-to-self", $"{c.From} already holds what it would delegate.", "to");
        // Nobody hands on authority they do not hold.
        var held = state.Approvers.GetValueOrDefault(c.From, []);
        if (levels.Where(l => !held.Contains(l)).ToList() is [var notHeld, ..])
            return Decision<ApproverRegistryEvent>.Refuse(RefusalKind.RuleViolation, "approvers.level-not-held", $"{c.From} does not hold {notHeld}, so cannot delegate it.", "levels");
        return Decision<ApproverRegistryEvent>.Of(granted);
    }

    private static Decision<ApproverRegistryEvent> RevokeDelegation(RevokeDelegation c, ApproverRegistryState state, Instant now)
    {
        if (Ids.Check(("delegationId", c.DelegationId)) is { } invalid) return Prefixed(invalid);
        if (Reason(c.Reason) is { } noReason) return noReason;
        if (!state.Delegations.ContainsKey(c.DelegationId))
            return Decision<ApproverRegistryEvent>.Refuse(RefusalKind.NotFound, "approvers.delegation-unknown", $"No live delegation {c.DelegationId}.", "delegationId");
        return Decision<ApproverRegistryEvent>.Of(new DelegationRevoked(c.DelegationId, c.Reason, c.By, now));
    }

    private static Decision<ApproverRegistryEvent>? Reason(string? reason) =>
        string.IsNullOrWhiteSpace(reason) ? Decision<ApproverRegistryEvent>.Invalid("reason", "approvers.reason-required", "A revocation needs a reason.")
        : Ids.CheckLength(("reason", reason)) is { } tooLong ? Prefixed(tooLong)
        : null;

    private static Decision<ApproverRegistryEvent> Prefixed(Refusal refusal) => refusal with { Code = "approvers." + refusal.Code };
}
