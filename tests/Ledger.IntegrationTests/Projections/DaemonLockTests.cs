using Ledger.Api;
using Ledger.EventStore;
using Ledger.IntegrationTests.Journeys;
using Ledger.Projections;
using Ledger.Projections.Quotes;
using Marten;
using Marten.Events;
using Marten.Events.Daemon.Coordination;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;

namespace Ledger.IntegrationTests.Projections;

/// <summary>
/// Two API nodes on one database: Marten's HotCold daemon elects one node per projection with a PostgreSQL advisory
/// lock, so each projection runs on exactly one node; when that node goes away the other takes over.
/// </summary>
public sealed class DaemonLockTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Each_projection_runs_on_exactly_one_of_two_nodes_and_the_other_takes_over_when_it_stops()
    {
        var first = await LedgerWorld.StartAsync("daemon-lock");
        var firstStopped = false;
        var connectionString = first.Ledger.Services.GetRequiredService<LedgerSettings>().PostgresConnectionString;
        var second = await RunningLedger.StartAsync(connectionString);
        try
        {
            var history = new History(first.EventStore, first.Ledger.Services.GetRequiredService<EventSerializer>());
            await history.Append(Q2C.Quote("Q-LOCK-1"), Q2C.T0, Q2C.AcceptedQuote("Q-LOCK-1", 100m));

            // Both nodes compete for every projection; PostgreSQL grants each lock to one of them.
            var running = await LedgerWorld.Eventually(async () => (Agents(first.Ledger.Services), Agents(second.Services)),
                a => LedgerProjections.Names.All(n => a.Item1.Contains(n) || a.Item2.Contains(n)));
            output.WriteLine($"first node runs [{string.Join(", ", running.Item1)}], second node runs [{string.Join(", ", running.Item2)}]");
            Assert.All(LedgerProjections.Names, n => Assert.True(running.Item1.Contains(n) ^ running.Item2.Contains(n), $"{n} runs on both nodes or none"));
            await first.ProjectionsCaughtUpAsync();

            // The first node stops; its locks go with its connections, and the second node picks every projection up.
            await first.DisposeAsync();
            firstStopped = true;
            var taken = await LedgerWorld.Eventually(() => Task.FromResult(Agents(second.Services)), a => LedgerProjections.Names.All(a.Contains));
            output.WriteLine($"after the first node stopped, the second runs [{string.Join(", ", taken)}]");
            Assert.All(LedgerProjections.Names, n => Assert.Contains(n, taken));

            var survivorHistory = new History(second.Services.GetRequiredService<IEventStore>(), second.Services.GetRequiredService<EventSerializer>(), "survivor");
            await survivorHistory.Append(Q2C.Quote("Q-LOCK-2"), Q2C.T0, Q2C.AcceptedQuote("Q-LOCK-2", 200m));
            var store = second.Services.GetRequiredService<IDocumentStore>();
            await second.ReplicatedAsync();
            await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
            await using var session = store.QuerySession();
            Assert.NotNull(await session.LoadAsync<QuoteView>("Q-LOCK-1"));
            Assert.NotNull(await session.LoadAsync<QuoteView>("Q-LOCK-2"));
        }
        finally
        {
            if (!firstStopped) await first.DisposeAsync();
            await second.DisposeAsync();
        }
    }

    /// <summary>The projections whose agent runs in this node's daemon.</summary>
    private static HashSet<string> Agents(IServiceProvider services) =>
        services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase().CurrentAgents()
            .Select(a => a.Name.Name).ToHashSet();
}
