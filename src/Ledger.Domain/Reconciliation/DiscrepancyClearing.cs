using Ledger.Domain;
using Ledger.Domain.Common;
using NodaTime;

namespace Ledger.Domain.Reconciliation;

/// <summary>Finance's actions on one discrepancy (<c>discrepancy-{id}</c>); detection is the projections' work, clearing is recorded here.</summary>
[Closed]
public abstract record DiscrepancyEvent(string DiscrepancyId, string Rule, string Subject, int Occurrence);

[EventName("discrepancy-acknowledged.v1")]
public sealed record DiscrepancyAcknowledged(string DiscrepancyId, string Rule, string Subject, int Occurrence, string By, string Note, Instant AcknowledgedAt)
    : DiscrepancyEvent(DiscrepancyId, Rule, Subject, Occurrence);

[EventName("discrepancy-assigned.v1")]
public sealed record DiscrepancyAssigned(string DiscrepancyId, string Rule, string Subject, int Occurrence, string Owner, string By, Instant AssignedAt)
    : DiscrepancyEvent(DiscrepancyId, Rule, Subject, Occurrence);

/// <summary>Finance cleared it by hand, with the reason; it leaves the open list and stays in history.</summary>
[EventName("discrepancy-resolved.v1")]
public sealed record DiscrepancyResolved(string DiscrepancyId, string Rule, string Subject, int Occurrence, string By, string Reason, Instant ResolvedAt)
    : DiscrepancyEvent(DiscrepancyId, Rule, Subject, Occurrence);

[Closed]
public abstract record DiscrepancyCommand(DiscrepancyId Id, string By);

public sealed record AcknowledgeDiscrepancy(DiscrepancyId Id, string By, string Note) : DiscrepancyCommand(Id, By);

public sealed record AssignDiscrepancy(DiscrepancyId Id, string By, string Owner) : DiscrepancyCommand(Id, By);

public sealed record ResolveDiscrepancy(DiscrepancyId Id, string By, string Reason) : DiscrepancyCommand(Id, By);

public enum ClearingStatus { Open, Acknowledged, Resolved }

public sealed record DiscrepancyClearingState(ClearingStatus Status, string? Owner, string? Reason)
{
    public static readonly DiscrepancyClearingState Initial = new(ClearingStatus.Open, null, null);
}

public static class DiscrepancyClearingDecider
{
    public static string StreamId(DiscrepancyId id) => $"discrepancy-{id}";

    public static DiscrepancyClearingState Evolve(DiscrepancyClearingState state, DiscrepancyEvent @event) => @event switch
    {
        DiscrepancyAcknowledged => state with { Status = ClearingStatus.Acknowledged },
        DiscrepancyAssigned e => state with { Owner = e.Owner },
        DiscrepancyResolved e => state with { Status = ClearingStatus.Resolved, Reason = e.Reason },
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "Unknown discrepancy event."),
    };

    public static Decision<DiscrepancyEvent> Decide(DiscrepancyCommand command, DiscrepancyClearingState state, Instant now)
    {
        var id = command.Id;
        var text = id.ToString();
        switch (command)
        {
            case ResolveDiscrepancy c:
                if (string.IsNullOrWhiteSpace(c.Reason))
                    return Decision<DiscrepancyEvent>.Invalid("reason", "discrepancy.reason-required", "A resolution needs a reason: it is the audit trail.");
                if (state.Status == ClearingStatus.Resolved)
                    return state.Reason == c.Reason ? Decision<DiscrepancyEvent>.Nothing : AlreadyResolved(text);
                return Decision<DiscrepancyEvent>.Of(new DiscrepancyResolved(text, id.Rule, id.Subject, id.Occurrence, c.By, c.Reason.Trim(), now));

            case AcknowledgeDiscrepancy c:
                if (state.Status == ClearingStatus.Resolved) return AlreadyResolved(text);
                if (state.Status == ClearingStatus.Acknowledged) return Decision<DiscrepancyEvent>.Nothing;
                return Decision<DiscrepancyEvent>.Of(new DiscrepancyAcknowledged(text, id.Rule, id.Subject, id.Occurrence, c.By, c.Note?.Trim() ?? "", now));

            case AssignDiscrepancy c:
                if (string.IsNullOrWhiteSpace(c.Owner) || c.Owner.Length > 100)
                    return Decision<DiscrepancyEvent>.Invalid("owner", "discrepancy.owner-required", "owner names a team, 1 to 100 characters.");
                if (state.Status == ClearingStatus.Resolved) return AlreadyResolved(text);
                if (state.Owner == c.Owner.Trim()) return Decision<DiscrepancyEvent>.Nothing;
                return Decision<DiscrepancyEvent>.Of(new DiscrepancyAssigned(text, id.Rule, id.Subject, id.Occurrence, c.Owner.Trim(), c.By, now));

            default:
                throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown discrepancy command.");
        }
    }

    private static Decision<DiscrepancyEvent> AlreadyResolved(string id) =>
        Decision<DiscrepancyEvent>.Refuse(RefusalKind.Conflict, "discrepancy.already-resolved", $"Discrepancy {id} is resolved; its history is closed.");
}
