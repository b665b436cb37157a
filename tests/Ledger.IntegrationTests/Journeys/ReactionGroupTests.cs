using Ledger.Application.Billing;
using Ledger.Application.Reactions;
using Ledger.Domain.Quotes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Journeys;

/// <summary>
/// The reactions queued in a lane commit together (group commit, ADR/0017): one transaction for what would be one per
/// reaction, each still exactly once under its own key; and a group with a failing reaction in it commits nothing as a
/// group, its reactions run again alone, and the failing one is parked as it would be alone. PostgreSQL mode: only there
/// do reactions share a transaction.
/// </summary>
public sealed class ReactionGroupTests : IAsyncLifetime
{
    /// <summary>
    /// Holds the lane in its reaction to a draft whose id says GATE until the test lets it go, so that the events after it
    /// queue up behind it; and fails for quotes whose id says BROKEN.
    /// </summary>
    private sealed class HoldingAndFailing
    {
        public readonly SemaphoreSlim Gate = new(0);

        public IReactor Reactor => new Reactor<QuoteCommand, QuoteEvent, QuoteState>("holds-and-fails-on-purpose", e => Application.Commands.Streams.Quote(e.QuoteId),
            (e, _) =>
            {
                if (e.QuoteId.Value.Contains("GATE") && !Gate.Wait(TimeSpan.FromMinutes(2))) throw new TimeoutException("the test never opened the gate");
                if (e.QuoteId.Value.Contains("BROKEN")) throw new InvalidOperationException($"cannot react to {e.QuoteId}");
                return [];
            }, typeof(QuoteDrafted));
    }

    private readonly HoldingAndFailing _reactor = new();
    private LedgerWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await StartAsync(nameof(ReactionGroupTests),
            services: s => s.AddSingleton<IReadOnlyList<IReactor>>(sp => [.. Reactors.All(sp.GetRequiredService<BillingSettings>()), _reactor.Reactor]),
            settings: new Dictionary<string, string?>(PostgresMode) { ["Ledger:Reactions:Lanes"] = "1", ["Ledger:Reactions:GroupSize"] = "64" });
        await _world.PublishCatalogAndPolicyAsync();
    }

    public async Task DisposeAsync()
    {
        _reactor.Gate.Release(10); // never leave the lane held
        await _world.DisposeAsync();
    }

    [Fact]
    public async Task Reactions_queued_in_a_lane_commit_in_one_transaction_each_once()
    {
        await QueueBehindTheGateAsync("Q-GATE-1", async () =>
        {
            foreach (var quote in new[] { "Q-A", "Q-B", "Q-C" }) await _world.SubmitNeedingApprovalAsync(quote);
        });

        foreach (var quote in new[] { "Q-A", "Q-B", "Q-C" })
            Assert.Single(await _world.StreamAsync($"approval-{quote}-r1"), e => e.Type == "approval-requested.v1");
        // Three reactions, one commit: their events carry one transaction id.
        Assert.Equal(1, await TransactionsThatWroteAsync("approval-Q-A-r1", "approval-Q-B-r1", "approval-Q-C-r1"));
        Assert.Empty(await _world.Ledger.Services.GetRequiredService<ReactionStore>().ParkedAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_failing_reaction_fails_its_group_and_every_other_reaction_in_it_runs_alone_once()
    {
        await QueueBehindTheGateAsync("Q-GATE-2", async () =>
        {
            await _world.SubmitNeedingApprovalAsync("Q-D");
            (await Post(_world.Salesforce, "/quotes", QuoteToCashJourneyTests.Draft("Q-BROKEN", "EUR", "Europe/Berlin"))).EnsureAccepted();
            await _world.SubmitNeedingApprovalAsync("Q-E");
        });

        foreach (var quote in new[] { "Q-D", "Q-E" })
            Assert.Single(await _world.StreamAsync($"approval-{quote}-r1"), e => e.Type == "approval-requested.v1");
        // Run alone after the group failed: a commit each.
        Assert.Equal(2, await TransactionsThatWroteAsync("approval-Q-D-r1", "approval-Q-E-r1"));
        var parked = Assert.Single(await _world.Ledger.Services.GetRequiredService<ReactionStore>().ParkedAsync(CancellationToken.None));
        Assert.Equal(("holds-and-fails-on-purpose", "quote-Q-BROKEN", ReactionProcessor.AttemptsBeforeParking), (parked.Reactor, parked.StreamId, parked.Attempts));
    }

    /// <summary>
    /// Drafts <paramref name="gate"/>, whose reaction holds the single lane; runs <paramref name="behind"/>; waits until the
    /// subscription has handed every event so far to the lane; then lets the lane go and waits for the reactions.
    /// </summary>
    private async Task QueueBehindTheGateAsync(string gate, Func<Task> behind)
    {
        await _world.ReactionsSettledAsync();
        (await Post(_world.Salesforce, "/quotes", QuoteToCashJourneyTests.Draft(gate, "EUR", "Europe/Berlin"))).EnsureAccepted();
        await behind();
        var last = (long)(await _world.Ledger.AllEventsAsync())[^1].Position.Value;
        var processor = _world.Ledger.Services.GetRequiredService<ReactionProcessor>();
        var until = DateTime.UtcNow.AddSeconds(60);
        while (processor.Read < last)
        {
            if (DateTime.UtcNow > until) throw new Xunit.Sdk.XunitException($"The subscription did not read up to {last} within 60 s (at {processor.Read}).");
            await Task.Delay(20);
        }
        _reactor.Gate.Release();
        await _world.ReactionsSettledAsync();
    }

    /// <summary>How many transactions wrote the events of these streams.</summary>
    private async Task<long> TransactionsThatWroteAsync(params string[] streams)
    {
        await using var command = _world.Ledger.Services.GetRequiredService<NpgsqlDataSource>()
            .CreateCommand("select count(distinct xmin::text) from ledger.mt_events where stream_id = any($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = streams });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
