using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Journeys;

/// <summary>
/// What follows an event is driven from the log, not from the request that appended it (ADR/0017): a node that appended and
/// then died before reacting (here: a node that never reacts) leaves nothing undone, because the next node to run the
/// reactions starts from the saved position and finds the event there.
/// </summary>
public sealed class ReactionRecoveryTests : IAsyncLifetime
{
    private LedgerWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await StartAsync(nameof(ReactionRecoveryTests), settings: new Dictionary<string, string?> { ["Ledger:Reactions:Run"] = "false" });
        await _world.PublishCatalogAndPolicyAsync();
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task An_order_placed_on_a_node_that_never_reacted_is_converted_handed_to_billing_and_closed_by_the_next_node()
    {
        var sf = _world.Salesforce;
        (await Post(sf, "/quotes", QuoteToCashJourneyTests.Draft("Q-RECOVER", "EUR", "Europe/Berlin"))).EnsureAccepted();
        (await Post(sf, "/quotes/Q-RECOVER/lines", new { lineId = "L1", productOfferingId = "SUPPORT-24", catalogVersion = "2026.1", quantity = 2, discountPercent = 0 })).EnsureAccepted();
        (await Post(sf, "/quotes/Q-RECOVER/price", new { })).EnsureAccepted();
        (await Post(sf, "/quotes/Q-RECOVER/submit")).EnsureAccepted(); // within policy: approved by the command itself
        (await Post(sf, "/quotes/Q-RECOVER/send", new { documentHash = "sha256:doc" })).EnsureAccepted();
        (await Post(sf, "/quotes/Q-RECOVER/accept", new { revision = 1, acceptanceType = "signature", signer = "Dana Whitfield" })).EnsureAccepted();
        (await Post(sf, "/quotes/Q-RECOVER/order", new { billingAccount = "BA-ACME-EU" })).EnsureAccepted();

        // No node reacts: the order is placed, and nothing has followed it.
        Assert.Empty(await _world.StreamAsync("billing-ord-Q-RECOVER"));
        Assert.DoesNotContain(await _world.StreamAsync("quote-Q-RECOVER"), e => e.Type == "quote-converted-to-order.v1");

        await _world.StartAnotherNodeAsync(new Dictionary<string, string?> { ["Ledger:Reactions:Run"] = "true" });

        // A node starting while the suite loads the machine, then billing calling back: minutes, not seconds, on a busy 2-core box.
        var order = await Eventually(() => _world.StreamAsync("order-ord-Q-RECOVER"), e => e.Any(x => x.Type == "order-closed.v1"), TimeSpan.FromMinutes(2));
        Assert.Equal(["order-placed.v2", "order-closed.v1"], order.Select(e => e.Type));
        Assert.Equal(["billing-handoff-requested.v3", "billing-handoff-acknowledged.v1"], (await _world.StreamAsync("billing-ord-Q-RECOVER")).Select(e => e.Type));
        Assert.Single(await _world.StreamAsync("quote-Q-RECOVER"), e => e.Type == "quote-converted-to-order.v1");
    }
}
