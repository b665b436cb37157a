using Ledger.Domain.Reconciliation;
using Ledger.Projections.Common;
using Ledger.Projections.Quotes;
using Ledger.Projections.Reconciliation;
using Marten;
using NodaTime;
using NodaTime.Testing;
using Xunit;

namespace Ledger.IntegrationTests.Projections;

/// <summary>
/// Past <see cref="DiscrepancyQuery.CountCap"/> matching rows, today's list says "at least that many" instead of counting
/// them all (ADR/0014), while its pages and the CSV stream still hold every row, in the order of the list built from the views.
/// </summary>
public sealed class DiscrepancyCountCapTests
{
    private const int Open = DiscrepancyQuery.CountCap + 120;

    [Fact]
    public async Task Past_the_cap_the_count_is_a_floor_and_the_pages_and_the_stream_hold_every_row()
    {
        using var documents = await StoredViews.CreateStoreAsync(nameof(DiscrepancyCountCapTests));
        var now = Instant.FromUtc(2026, 4, 1, 0, 0);
        await documents.BulkInsertDocumentsAsync(Enumerable.Range(0, Open).Select(i => View(i, now)).ToList());
        var query = new DiscrepancyQuery(documents, new FakeClock(now), ReconciliationSlas.Defaults);

        var all = await query.ListAsync(new DiscrepancyFilter(), 1, 50, CancellationToken.None);
        Assert.Equal((DiscrepancyQuery.CountCap, true), (all.Total, all.TotalIsAtLeast));
        var reference = await query.ListFromDocumentsAsync(new DiscrepancyFilter(), 1, int.MaxValue, CancellationToken.None);
        Assert.Equal(Open, reference.Total);
        Assert.Equal(reference.Items.Take(50).Select(r => r.Id), all.Items.Select(r => r.Id));
        var last = await query.ListAsync(new DiscrepancyFilter(), Open / 50 + 1, 50, CancellationToken.None);
        Assert.Equal(reference.Items.Skip(Open / 50 * 50).Select(r => r.Id), last.Items.Select(r => r.Id));

        // Under the cap the count is exact.
        var hubspot = await query.ListAsync(new DiscrepancyFilter(Crm: "hubspot"), 1, 50, CancellationToken.None);
        Assert.Equal((reference.Items.Count(r => r.Crms.Contains("hubspot")), false), (hubspot.Total, hubspot.TotalIsAtLeast));

        var streamed = new List<string>();
        await foreach (var row in query.StreamAsync(new DiscrepancyFilter(), CancellationToken.None)) streamed.Add(row.Id);
        Assert.Equal(reference.Items.Select(r => r.Id), streamed);
    }

    /// <summary>An open occurrence of one of two rules (two SLAs, so the list interleaves them), one CRM of three.</summary>
    private static QuoteReconciliation View(int i, Instant now)
    {
        var id = $"Q-{i:D6}";
        var at = now - Duration.FromDays(10) + Duration.FromMinutes(i % 5_000);
        var source = new EventRef($"quote-{id}", i, Guid.NewGuid(), "quote-accepted.v1", at);
        var rule = i % 2 == 0 ? DiscrepancyRules.AcceptedNotOrdered : DiscrepancyRules.BilledAmountMismatch;
        var crm = new[] { "salesforce", "hubspot", "dynamics" }[i % 3];
        return new QuoteReconciliation
        {
            Id = id, SourceCrm = crm,
            Discrepancies =
            [
                new Discrepancy
                {
                    Id = new DiscrepancyId(rule.Code, 1, id).ToString(), Rule = rule.Code, RuleName = rule.Name, Occurrence = 1, Subject = id,
                    Severity = rule.Severity, Owner = rule.Owner, Crms = [crm], Detail = "test", OpenedBy = source, Evidence = [source],
                },
            ],
        };
    }
}
