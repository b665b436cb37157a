using Ledger.Application.Billing;
using Ledger.Application.Reactions;
using Ledger.Domain.Quotes;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Journeys;

/// <summary>
/// A reaction that keeps failing is parked where people see it (/reactions, /health, <c>ledger reactions</c>), the log moves on
/// for every other reaction, and a retry once the cause is gone carries it out and clears it.
/// </summary>
public sealed class ReactionParkingTests : IAsyncLifetime
{
    /// <summary>Fails for quotes whose id says so, while <see cref="Broken"/> is set: a stand-in for a bug or a bad event.</summary>
    private sealed class FailingForSomeQuotes
    {
        public volatile bool Broken = true;
        public int Reacted;

        public IReactor Reactor => new Reactor<QuoteCommand, QuoteEvent, QuoteState>("fails-on-purpose", e => Application.Commands.Streams.Quote(e.QuoteId),
            (e, _) =>
            {
                if (Broken && e.QuoteId.Value.Contains("BROKEN")) throw new InvalidOperationException($"cannot react to {e.QuoteId}");
                Interlocked.Increment(ref Reacted);
                return [];
            }, typeof(QuoteDrafted));
    }

    private readonly FailingForSomeQuotes _failing = new();
    private LedgerWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await StartAsync(nameof(ReactionParkingTests), services: s => s.AddSingleton<IReadOnlyList<IReactor>>(sp =>
            [.. Reactors.All(sp.GetRequiredService<BillingSettings>()), _failing.Reactor]));
        await _world.PublishCatalogAndPolicyAsync();
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task A_reaction_that_keeps_failing_is_parked_visible_and_retried_while_every_other_reaction_goes_on()
    {
        (await Post(_world.Salesforce, "/quotes", QuoteToCashJourneyTests.Draft("Q-BROKEN", "EUR", "Europe/Berlin"))).EnsureAccepted();
        // A later quote that needs approval: its approval is requested although the reaction before it failed.
        await _world.SubmitNeedingApprovalAsync("Q-FINE");
        await _world.ReactionsSettledAsync();

        Assert.Single(await _world.StreamAsync("approval-Q-FINE-r1"), e => e.Type == "approval-requested.v1");
        var status = await (await _world.Admin.GetAsync("/reactions")).EnsureAccepted().Json();
        var parked = Assert.Single(status.GetProperty("parked").EnumerateArray());
        Assert.Equal("fails-on-purpose", parked.GetProperty("reactor").GetString());
        Assert.Equal("quote-Q-BROKEN", parked.GetProperty("streamId").GetString());
        Assert.Contains("cannot react to Q-BROKEN", parked.GetProperty("error").GetString());
        Assert.Equal(ReactionProcessor.AttemptsBeforeParking, parked.GetProperty("attempts").GetInt32());
        Assert.True(status.GetProperty("caughtUp").GetBoolean());
        var health = await (await _world.Ledger.Http.GetAsync("/health")).Json();
        Assert.Equal("Degraded", health.GetProperty("checks").GetProperty("reactions").GetProperty("status").GetString());

        var id = parked.GetProperty("id").GetInt64();
        var stillBroken = await Post(_world.Admin, $"/reactions/parked/{id}/retry");
        Assert.Equal(System.Net.HttpStatusCode.Conflict, stillBroken.StatusCode);
        Assert.Contains("reaction.failed-again", await stillBroken.Content.ReadAsStringAsync());

        _failing.Broken = false;
        var reactedBefore = _failing.Reacted;
        (await Post(_world.Admin, $"/reactions/parked/{id}/retry")).EnsureAccepted();
        Assert.Equal(reactedBefore + 1, _failing.Reacted);
        Assert.Empty((await (await _world.Admin.GetAsync("/reactions")).Json()).GetProperty("parked").EnumerateArray());
        health = await (await _world.Ledger.Http.GetAsync("/health")).Json();
        Assert.Equal("Healthy", health.GetProperty("checks").GetProperty("reactions").GetProperty("status").GetString());
    }
}
