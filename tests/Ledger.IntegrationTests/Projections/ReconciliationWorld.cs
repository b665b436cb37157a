using Ledger.Api;
using Xunit;
using Ledger.EventStore;
using Ledger.IntegrationTests.Journeys;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace Ledger.IntegrationTests.Projections;

/// <summary>A running ledger (async daemon included, reactions not) whose event store holds <see cref="ReconciliationHistory"/>, with the clock ten days on.</summary>
public sealed class ReconciliationWorld : IAsyncLifetime
{
    public FakeClock Clock { get; } = new(ReconciliationHistory.Now);

    public LedgerWorld World { get; private set; } = null!;

    public History History { get; private set; } = null!;

    public IDocumentStore Store => World.Ledger.Services.GetRequiredService<IDocumentStore>();

    public string ConnectionString => World.Ledger.Services.GetRequiredService<LedgerSettings>().PostgresConnectionString;

    public async Task InitializeAsync()
    {
        // The history is written as it stands, event by event: nothing may react to it (send a handoff, close an order).
        World = await LedgerWorld.StartAsync("reconciliation", services: s => s.AddSingleton<IClock>(Clock),
            settings: new Dictionary<string, string?> { ["Ledger:Reactions:Run"] = "false" });
        History = new History(World.EventStore, World.Ledger.Services.GetRequiredService<EventSerializer>());
        await ReconciliationHistory.WriteAsync(History);
        await CaughtUpAsync();
    }

    /// <summary>Waits until every projection has applied every event appended so far.</summary>
    public Task CaughtUpAsync() => World.ProjectionsCaughtUpAsync();

    public async Task DisposeAsync() => await World.DisposeAsync();
}
