using Ledger.Domain.Common;
using NodaTime;

namespace Ledger.Domain.Approvals;

/// <summary>Events of the approvers registry (the one stream <c>approvers</c>): who may decide which approval levels (ADR/0023).</summary>
[Closed]
public abstract record ApproverRegistryEvent;

/// <summary>The registry's first events: the approvers and delegations configuration held when the stream was empty.</summary>
[EventName("approvers-seeded.v1")]
public sealed record ApproversSeeded(IReadOnlyList<SeededApprover> Approvers, IReadOnlyList<DelegationGranted> Delegations, Instant SeededAt)
    : ApproverRegistryEvent;

public sealed record SeededApprover(string Principal, IReadOnlyList<ApprovalLevel> Levels);

/// <summary><paramref name="Principal"/> decides <paramref name="Levels"/> on its own authority from now on (replacing what it held).</summary>
[EventName("approver-authorised.v1")]
public sealed record ApproverAuthorised(string Principal, IReadOnlyList<ApprovalLevel> Levels, string AuthorisedBy, Instant AuthorisedAt)
    : ApproverRegistryEvent;

/// <summary><paramref name="Principal"/> decides nothing any more; the delegations from and to it end with it.</summary>
[EventName("approver-revoked.v1")]
public sealed record ApproverRevoked(string Principal, string Reason, string RevokedBy, Instant RevokedAt) : ApproverRegistryEvent;

/// <summary><paramref name="From"/> hands <paramref name="Levels"/> to <paramref name="To"/> from the first day through the last (UTC days).</summary>
[EventName("delegation-granted.v1")]
public sealed record DelegationGranted(
    string DelegationId, string From, string To, IReadOnlyList<ApprovalLevel> Levels, LocalDate FirstDay, LocalDate LastDay, string GrantedBy,
    Instant GrantedAt) : ApproverRegistryEvent
{
    public ApprovalDelegation AsDelegation() => new(From, Levels, FirstDay, LastDay);
}

[EventName("delegation-revoked.v1")]
public sealed record DelegationRevoked(string DelegationId, string Reason, string RevokedBy, Instant RevokedAt) : ApproverRegistryEvent;
