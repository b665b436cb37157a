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
            }
            // While it stays open the proof and amounts follow the facts (e.g. a second wrong invoice).
            live.Crms = crms.Where(c => !string.IsNullOrEmpty(c)).Distinct().Order(StringComparer.Ordinal).ToList();
            live.Evidence = finding.Evidence.DistinctBy(e => e.EventId).OrderBy(e => e.Position).ToList();
            live.Expected = finding.Expected;
            live.Actual = finding.Actual;
            live.Detail = finding.Detail;
        }
    }

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
                break;
            case DiscrepancyResolved r:
                d.ResolvedBy = source;
                d.ResolvedByWhom = r.By;
                d.Resolution = r.Reason;
                break;
        }
    }
}
