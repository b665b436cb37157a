using JasperFx.Events;
using Ledger.Domain.Reconciliation;
using Ledger.Projections.Common;

namespace Ledger.Projections.Reconciliation;

/// <summary>
/// Keeps a view's discrepancies in step with its rules: after every event the view's findings are compared with its
/// live discrepancies; a new finding opens an occurrence, a vanished one closes with the event that removed it.
/// Finance's clearing events are applied to the occurrence they name. The same code runs incrementally and in a
/// rebuild, which is what makes the two produce the same documents.
/// </summary>
public static class DiscrepancyBook
{
    public static void Reconcile(List<Discrepancy> book, string subject, IEnumerable<string> crms, IReadOnlyList<Finding> findings,
        IReadOnlyCollection<DiscrepancyRule> rules, IEvent cause)
    {
        foreach (var rule in rules)
        {
            var finding = findings.FirstOrDefault(f => f.Rule == rule);
            var live = book.LastOrDefault(d => d.Rule == rule.Code && d.ClosedBy is null);
            if (finding is null)
            {
                if (live is not null) live.ClosedBy = EventRef.Of(cause);
                continue;
            }
            if (live is null)
            {
                var occurrence = book.Count(d => d.Rule == rule.Code) + 1;
                live = new Discrepancy
                {
                    Id = new DiscrepancyId(rule.Code, occurrence, subject).ToString(), Rule = rule.Code, RuleName = rule.Name,
                    Occurrence = occurrence, Subject = subject, Severity = rule.Severity, Owner = rule.Owner, OpenedBy = finding.Trigger,
                    Owners = [new Sourced<string>(rule.Owner, finding.Trigger)],
                };
                book.Add(live);
            }
            // While it stays open the proof and amounts follow the facts (e.g. a second wrong invoice); each change is kept
            // as a revision, so the list as of an earlier instant shows what it showed then.
            var revision = new DiscrepancyRevision(live.Revisions.Count == 0 ? live.OpenedBy : EventRef.Of(cause),
                crms.Where(c => !string.IsNullOrEmpty(c)).Distinct().Order(StringComparer.Ordinal).ToList(),
                finding.Expected, finding.Actual, finding.Detail, finding.Evidence.DistinctBy(e => e.EventId).OrderBy(e => e.Position).ToList());
            if (live.Revisions.Count == 0 || !SameContent(live.Revisions[^1], revision)) live.Revisions.Add(revision);
            live.Crms = revision.Crms;
            live.Evidence = revision.Evidence;
            live.Expected = revision.Expected;
            live.Actual = revision.Actual;
            live.Detail = revision.Detail;
        }
    }

    private static bool SameContent(DiscrepancyRevision a, DiscrepancyRevision b) =>
        a.Crms.SequenceEqual(b.Crms) && a.Expected == b.Expected && a.Actual == b.Actual && a.Detail == b.Detail
        && a.Evidence.Select(e => e.EventId).SequenceEqual(b.Evidence.Select(e => e.EventId));

    /// <summary>Applies finance's clearing event to the occurrence it names; one for an occurrence the view never had is ignored.</summary>
    public static void Clear(List<Discrepancy> book, IEvent e)
    {
        if (e.Data is not DiscrepancyEvent clearing || book.FirstOrDefault(d => d.Id == clearing.DiscrepancyId) is not { } d) return;
        var source = EventRef.Of(e);
        switch (clearing)
        {
            case DiscrepancyAcknowledged a:
                d.AcknowledgedBy = source;
                d.AcknowledgedNote = a.Note;
                break;
            case DiscrepancyAssigned a:
                d.AssignedBy = source;
                d.Owner = a.Owner;
                d.Owners.Add(new Sourced<string>(a.Owner, source));
                break;
            case DiscrepancyResolved r:
                d.ResolvedBy = source;
                d.ResolvedByWhom = r.By;
                d.Resolution = r.Reason;
                break;
        }
    }
}
