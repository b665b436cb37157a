using Ledger.Domain.Reconciliation;
using Ledger.Projections.Common;
using NodaTime;

namespace Ledger.Projections.Reconciliation;

/// <summary>What a rule finds true of a subject right now: the event that made it true, the events that prove it, and the amounts involved.</summary>
public sealed record Finding(DiscrepancyRule Rule, EventRef Trigger, IReadOnlyList<EventRef> Evidence, Amount? Expected, Amount? Actual, string Detail);

/// <summary>
/// One occurrence of a rule's condition on a subject, kept in the subject's view: when it opened, the proof, and how
/// it ended, by itself (<see cref="ClosedBy"/>: the event that removed the cause) or by finance (<see cref="ResolvedBy"/>).
/// Nothing is deleted: a cleared discrepancy stays as history.
/// </summary>
public sealed class Discrepancy
{
    public string Id { get; set; } = "";
    public string Rule { get; set; } = "";
    public string RuleName { get; set; } = "";
    public int Occurrence { get; set; }
    public string Subject { get; set; } = "";
    public Severity Severity { get; set; }
    public string Owner { get; set; } = "";
    public List<string> Crms { get; set; } = [];
    public Amount? Expected { get; set; }
    public Amount? Actual { get; set; }
    public string Detail { get; set; } = "";
    public EventRef OpenedBy { get; set; } = null!;
    public List<EventRef> Evidence { get; set; } = [];
    public EventRef? ClosedBy { get; set; }
    public EventRef? AcknowledgedBy { get; set; }
    public string? AcknowledgedNote { get; set; }
    public EventRef? AssignedBy { get; set; }
    public EventRef? ResolvedBy { get; set; }
    public string? ResolvedByWhom { get; set; }
    public string? Resolution { get; set; }

    /// <summary>
    /// When the discrepancy counts from: at once for most rules; for a rule about time passing, when its SLA ran out
    /// (evaluated at query time from the recorded instant, ADR/0014).
    /// </summary>
    public Instant DetectedAt(Duration? sla) => sla is { } d ? OpenedBy.At + d : OpenedBy.At;

    /// <summary>False while an SLA rule's time has not run out, and for ever if the cause went away before it did.</summary>
    public bool IsDiscrepancyAt(Instant now, Duration? sla)
    {
        var detected = DetectedAt(sla);
        return now >= detected && (ClosedBy is null || ClosedBy.At >= detected);
    }

    public DiscrepancyStatus Status => ResolvedBy is not null ? DiscrepancyStatus.Resolved
        : ClosedBy is not null ? DiscrepancyStatus.Closed
        : AcknowledgedBy is not null ? DiscrepancyStatus.Acknowledged
        : DiscrepancyStatus.Open;
}

/// <summary>Open and Acknowledged are on finance's list; Resolved (by finance) and Closed (by itself) are history.</summary>
public enum DiscrepancyStatus { Open, Acknowledged, Resolved, Closed }
