using System.Net;
using JasperFx.Events.Daemon;
using Ledger.IntegrationTests.Journeys;
using Ledger.Projections;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Projections;

/// <summary>
/// The node that commits wakes its own projection daemon (ADR/0015). Polling is stretched to minutes here, so only a
/// wake can bring a new quote into the CRM view while the test waits; the control run, polling alone, shows it cannot.
/// </summary>
public sealed class ProjectionWakeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task A_commit_wakes_the_daemon_on_its_node_without_waiting_for_a_poll()
    {
        await using var world = await StartAsync("wake_in_process", services: StretchPolling,
            settings: new Dictionary<string, string?> { ["Ledger:Projections:Wake"] = "in-process" });
        await FirstPollDoneAsync(world);
        var quoteId = $"Q-WAKE-{Guid.NewGuid():N}"[..20];
        (await Post(world.Salesforce, "/quotes", Journeys.QuoteToCashJourneyTests.Draft(quoteId, "EUR", "Europe/Berlin"))).EnsureAccepted();

        var view = await Eventually(() => world.Salesforce.GetAsync($"/crm/salesforce/quotes/{quoteId}"), r => r.StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(60));
        Assert.Equal(HttpStatusCode.OK, view.StatusCode);
    }

    [Fact]
    public async Task Polling_alone_leaves_the_view_behind_until_the_next_poll()
    {
        await using var world = await StartAsync("wake_poll", services: StretchPolling,
            settings: new Dictionary<string, string?> { ["Ledger:Projections:Wake"] = "poll" });
        var polledAt = await FirstPollDoneAsync(world);
        var quoteId = $"Q-POLL-{Guid.NewGuid():N}"[..20];
        (await Post(world.Salesforce, "/quotes", Journeys.QuoteToCashJourneyTests.Draft(quoteId, "EUR", "Europe/Berlin"))).EnsureAccepted();

        // The control: what the wake test waits for does not happen without the wake (the draft is in the log meanwhile).
        await Task.Delay(TimeSpan.FromSeconds(5));
        var view = await world.Salesforce.GetAsync($"/crm/salesforce/quotes/{quoteId}");
        output.WriteLine($"after 5 s of polling every {Poll.TotalMinutes} min: {(int)view.StatusCode}");
        Assert.Equal(polledAt, Daemon(world).HighWaterLastPolledAt);
        Assert.Equal(HttpStatusCode.NotFound, view.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await world.Salesforce.GetAsync($"/quotes/{quoteId}")).StatusCode);
    }

    /// <summary>Every agent runs and the daemon has made its first poll (at start), so the next one is minutes away.</summary>
    private static async Task<DateTimeOffset?> FirstPollDoneAsync(LedgerWorld world)
    {
        var daemon = await Eventually(() => Task.FromResult(Daemon(world)),
            d => d.HighWaterLastPolledAt is not null && d.CurrentAgents().Count >= LedgerProjections.Names.Count, TimeSpan.FromSeconds(60));
        Assert.NotNull(daemon.HighWaterLastPolledAt);
        return daemon.HighWaterLastPolledAt;
    }

    private static IProjectionDaemon Daemon(LedgerWorld world) =>
        world.Ledger.Services.GetRequiredService<Marten.Events.Daemon.Coordination.IProjectionCoordinator>().DaemonForMainDatabase();

    private static void StretchPolling(IServiceCollection services) => services.ConfigureMarten(options =>
    {
        options.Projections.SlowPollingTime = Poll;
        options.Projections.FastPollingTime = Poll;
    });
}
