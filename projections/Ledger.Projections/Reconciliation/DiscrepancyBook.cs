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
                };
                book.Add(live);
                Show(live, Revision(live.OpenedBy, crms, finding));
                continue;
            }
            // While it stays open the proof and amounts follow the facts (e.g. a second wrong invoice); each change is kept
            // as a revision, so the list as of an earlier instant shows what it showed then. The opening's content becomes
            // the first revision only when a second one comes: most occurrences never change, and their model stays small.
            var revision = Revision(EventRef.Of(cause), crms, finding);
            var shown = live.Revisions.Count > 0 ? live.Revisions[^1] : ShownSinceOpening(live);
            if (SameContent(shown, revision)) continue;
            if (live.Revisions.Count == 0) live.Revisions.Add(shown);
            live.Revisions.Add(revision);
            Show(live, revision);
        }
    }

    private static DiscrepancyRevision Revision(EventRef since, IEnumerable<string> crms, Finding finding) =>
        new(since, crms.Where(c => !string.IsNullOrEmpty(c)).Distinct().Order(StringComparer.Ordinal).ToList(),
            finding.Expected, finding.Actual, finding.Detail, finding.Evidence.DistinctBy(e => e.EventId).OrderBy(e => e.Position).ToList());

    /// <summary>What an occurrence with no revisions kept has shown since it opened.</summary>
    private static DiscrepancyRevision ShownSinceOpening(Discrepancy d) => new(d.OpenedBy, d.Crms, d.Expected, d.Actual, d.Detail, d.Evidence);

    private static void Show(Discrepancy live, DiscrepancyRevision revision)
    {
        live.Crms = revision.Crms;
        live.Evidence = revision.Evidence;
        live.Expected = revision.Expected;
        live.Actual = revision.Actual;
        live.Detail = revision.Detail;
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
                // The rule's owner from the opening is kept only once someone else owns it (as revisions are).
                if (d.Owners.Count == 0) d.Owners.Add(new Sourced<string>(d.Owner, d.OpenedBy));
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
