using System.Net;
using Ledger.IntegrationTests.Journeys;
using NodaTime;
using NodaTime.Text;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Projections;

/// <summary>
/// Month-end, reproduced: the discrepancy list as of an instant shows what was open, overdue and cleared then, from the
/// recorded instants of the events (ADR/0014), and reads the same bytes however much happened since.
/// </summary>
public sealed class ReconciliationAsOfTests(ReconciliationWorld fixture) : IClassFixture<ReconciliationWorld>
{
    private static Instant At(double hours) => Q2C.T0 + Duration.FromHours(hours);

    [Fact]
    public async Task The_list_as_of_three_instants_shows_what_was_open_then_and_reads_the_same_after_later_events()
    {
        // Hand-computed from ReconciliationHistory: Q-ORD-LATE accepted at 0 h (QTC-01 due after 48 h), ordered at 72 h;
        // Q-MISMATCH-FIXED billed 5,900 against 6,000 at 1.1 h, put right by an invoice at 30 h; Q-CRM-LATE accepted at 0 h,
        // its CRM showing "Sent" from 0.1 h (QTC-06 due an hour later) until 3 h, and never ordered.
        var expected = new Dictionary<double, Dictionary<(string, string), string>>
        {
            [2] = new() { [("QTC-06", "Q-CRM-LATE")] = "Open", [("QTC-05", "Q-MISMATCH-FIXED")] = "Open" },
            [60] = new()
            {
                [("QTC-01", "Q-ORD-LATE")] = "Open", [("QTC-01", "Q-CRM-LATE")] = "Open", [("QTC-06", "Q-CRM-LATE")] = "Closed",
                [("QTC-05", "Q-MISMATCH-FIXED")] = "Closed",
            },
            [100] = new()
            {
                [("QTC-01", "Q-ORD-LATE")] = "Closed", [("QTC-01", "Q-CRM-LATE")] = "Open", [("QTC-06", "Q-CRM-LATE")] = "Closed",
                [("QTC-05", "Q-MISMATCH-FIXED")] = "Closed",
            },
        };
        string[] subjects = ["Q-ORD-LATE", "Q-MISMATCH-FIXED", "Q-CRM-LATE"];
        foreach (var (hours, statuses) in expected)
        {
            var items = (await ListAsync(At(hours))).GetProperty("items").EnumerateArray()
                .Where(i => subjects.Contains(i.GetProperty("subject").GetString())).ToList();
            Assert.Equal(statuses.OrderBy(s => s.Key).ToList(),
                items.Select(i => KeyValuePair.Create((i.GetProperty("rule").GetString()!, i.GetProperty("subject").GetString()!), i.GetProperty("status").GetString()!))
                    .OrderBy(s => s.Key).ToList());
        }
        // What it showed then: the amount billed before the right invoice came, and an age counted to the instant asked.
        var mismatch = (await ListAsync(At(2))).GetProperty("items").EnumerateArray().Single(i => i.GetProperty("subject").GetString() == "Q-MISMATCH-FIXED");
        Assert.Equal(5_900m, mismatch.GetProperty("actual").GetProperty("value").GetDecimal());
        Assert.Equal(Duration.FromMinutes(54), DurationPattern.JsonRoundtrip.Parse(mismatch.GetProperty("age").GetString()!).Value);

        // Later events (finance assigns the open one today) change today's list, not the month-end one.
        var monthEnd = await RawAsync(At(100));
        (await Post(fixture.World.Finance, "/reconciliation/discrepancies/QTC-01:1:Q-CRM-LATE/assign", new { owner = "maria.finance" })).EnsureAccepted();
        await fixture.CaughtUpAsync();
        Assert.Equal(monthEnd, await RawAsync(At(100)));
        var today = (await (await fixture.World.Finance.GetAsync("/reconciliation/discrepancies?rule=QTC-01")).EnsureAccepted().Json())
            .GetProperty("items").EnumerateArray().Single(i => i.GetProperty("subject").GetString() == "Q-CRM-LATE");
        Assert.Equal("maria.finance", today.GetProperty("owner").GetString());
        var then = (await ListAsync(At(100))).GetProperty("items").EnumerateArray()
            .Single(i => i.GetProperty("subject").GetString() == "Q-CRM-LATE" && i.GetProperty("rule").GetString() == "QTC-01");
        Assert.Equal("sales-ops", then.GetProperty("owner").GetString());
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2026-03-31")]
    [InlineData("2099-01-01T00:00:00Z")]
    public async Task An_as_of_that_is_not_a_past_instant_is_a_400_naming_the_field(string asOf)
    {
        var response = await fixture.World.Finance.GetAsync($"/reconciliation/discrepancies?asOf={Uri.EscapeDataString(asOf)}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Json();
        Assert.Equal("asOf", problem.GetProperty("field").GetString());
    }

    private async Task<System.Text.Json.JsonElement> ListAsync(Instant asOf) => System.Text.Json.JsonDocument.Parse(await RawAsync(asOf)).RootElement;

    private async Task<string> RawAsync(Instant asOf) =>
        await (await fixture.World.Finance.GetAsync($"/reconciliation/discrepancies?status=all&pageSize=500&asOf={InstantPattern.ExtendedIso.Format(asOf)}"))
            .EnsureAccepted().Content.ReadAsStringAsync();
}
