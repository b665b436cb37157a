using Ledger.Api.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Wolverine;
using Wolverine.Persistence.Durability;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Journeys;

/// <summary>
/// A durable message whose handler ends in one command unit is marked handled in that unit's transaction (issue 13): the
/// contract's start and Wolverine's mark of the message that asked for it commit together, one transaction instead of two.
/// PostgreSQL mode: there the contract's events are written in that transaction too.
/// </summary>
public sealed class HandledInItsUnitTests : IAsyncLifetime
{
    private LedgerWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await StartAsync(nameof(HandledInItsUnitTests), settings: PostgresMode);
        await ContractTests.PublishSubscriptionCatalogAsync(_world);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task The_contract_starts_in_the_transaction_that_marks_its_message_handled()
    {
        await ContractTests.OrderWithinPolicyAsync(_world.HubSpot, QuoteToCashJourneys.Draft("Q-SUB-MARK", "USD", "America/New_York"), "2026.2-subs",
            ("L1", "SAAS-SEATS", 10, 5));
        var started = await Eventually(() => _world.StreamAsync("contract-ctr-Q-SUB-MARK"), e => e.Count > 0, TimeSpan.FromSeconds(90));
        Assert.Equal("contract-started.v1", Assert.Single(started).Type);
        await _world.ReactionsSettledAsync();

        var inbox = HandledMarksCommitWithoutFlush.InboxTable(_world.Ledger.Services.GetRequiredService<IMessageStore>());
        await using var command = _world.Ledger.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            $"""
             select status from {inbox}
             where xmin = (select xmin from ledger.mt_events where stream_id = 'contract-ctr-Q-SUB-MARK' and version = 1)
             """);
        await using var reader = await command.ExecuteReaderAsync();
        var statuses = new List<string>();
        while (await reader.ReadAsync()) statuses.Add(reader.GetString(0));
        // One inbox row was last written by the transaction that started the contract: its message's, marked handled there.
        Assert.Equal([nameof(EnvelopeStatus.Handled)], statuses);
    }
}
