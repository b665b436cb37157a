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
    /// What the occurrence showed over time (CRMs, proof, amounts, detail), each from the event that changed it: the as-of
    /// list reads these. Empty while it has shown one thing only (the fields above, since <see cref="OpenedBy"/>); from its
    /// first change, the opening's content and every change. (Models written before 2026-12-08 also keep a lone first one.)
    /// </summary>
    public List<DiscrepancyRevision> Revisions { get; set; } = [];

    /// <summary>Who owned it over time, once it was assigned: the rule's owner from the opening, then each assignment. Empty until then (<see cref="Owner"/>).</summary>
    public List<Sourced<string>> Owners { get; set; } = [];

    /// <summary>
    /// The occurrence as it stood at <paramref name="instant"/> (by the ledger's recorded-at of each event), or null if it
    /// had not opened yet: later closing, clearing, assignments and revisions are left out, so a report as of a past
    /// instant reads the same whatever happened since.
    /// </summary>
    public Discrepancy? AsOf(Instant instant)
    {
        if (OpenedBy.At > instant) return null;
        EventRef? Then(EventRef? e) => e is not null && e.At <= instant ? e : null;
        var revision = Revisions.LastOrDefault(r => r.Since.At <= instant) ?? Revisions.FirstOrDefault();
        var resolved = Then(ResolvedBy);
        var acknowledged = Then(AcknowledgedBy);
        return new Discrepancy
        {
            Id = Id, Rule = Rule, RuleName = RuleName, Occurrence = Occurrence, Subject = Subject, Severity = Severity,
            Owner = Owners.LastOrDefault(o => o.Source.At <= instant)?.Value ?? Owners.FirstOrDefault()?.Value ?? Owner,
            Crms = revision?.Crms ?? Crms, Expected = revision is null ? Expected : revision.Expected, Actual = revision is null ? Actual : revision.Actual,
            Detail = revision?.Detail ?? Detail, Evidence = revision?.Evidence ?? Evidence, OpenedBy = OpenedBy, ClosedBy = Then(ClosedBy),
            AcknowledgedBy = acknowledged, AcknowledgedNote = acknowledged is null ? null : AcknowledgedNote,
            AssignedBy = Then(AssignedBy), ResolvedBy = resolved, ResolvedByWhom = resolved is null ? null : ResolvedByWhom,
            Resolution = resolved is null ? null : Resolution,
        };
    }

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

/// <summary>What an open occurrence showed from <paramref name="Since"/> on, until its next revision.</summary>
public sealed record DiscrepancyRevision(EventRef Since, List<string> Crms, Amount? Expected, Amount? Actual, string Detail, List<EventRef> Evidence);

/// <summary>Open and Acknowledged are on finance's list; Resolved (by finance) and Closed (by itself) are history.</summary>
public enum DiscrepancyStatus { Open, Acknowledged, Resolved, Closed }
