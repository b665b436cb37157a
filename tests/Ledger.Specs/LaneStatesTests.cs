using Ledger.Application;
using Ledger.Application.Reactions;
using Ledger.Domain.Quotes;
using Ledger.EventStore;
using Xunit;

namespace Ledger.Specs;

/// <summary>
/// A reaction lane's held stream states (issue 13): moved on event by event, they are the state a read and fold of the
/// stream would give, and the lane never answers from a state that missed an event.
/// </summary>
public sealed class LaneStatesTests
{
    private static readonly EventSerializer Serializer = new(LedgerEventTypes.Registry());
    private static readonly IReactor Expiry = QuoteExpiry.Reactor;

    private static readonly object[] History =
    [
        EventSamples.All.OfType<QuoteDrafted>().Single(), EventSamples.All.OfType<QuoteLineAdded>().Single(),
        EventSamples.All.OfType<QuotePriced>().Single(), EventSamples.All.OfType<QuoteSent>().Single(),
        EventSamples.All.OfType<QuoteValidityExtended>().Single(),
    ];

    [Fact]
    public void A_stream_held_from_its_first_event_has_the_state_a_fold_of_its_events_gives_before_each_of_them()
    {
        var states = new LaneStates(Serializer);
        var recorded = Recorded(History);
        for (var revision = 0; revision < recorded.Count; revision++)
        {
            var stream = Expiry.StreamOf(History[revision]);
            var before = states.Before(stream, revision);
            Assert.NotNull(before);
            Assert.Equal(Json(stream.Fold(stream.Initial, recorded.Take(revision), Serializer)), Json(before));
            states.Advance(stream, recorded[revision], before);
            // A second reactor on the same event gets the same state before it.
            Assert.Same(before, states.Before(stream, revision));
        }
    }

    [Fact]
    public void A_stream_that_missed_an_event_or_was_never_held_answers_nothing_so_the_reaction_reads_it()
    {
        var states = new LaneStates(Serializer);
        var recorded = Recorded(History);
        var stream = Expiry.StreamOf(History[0]);
        Assert.Null(states.Before(stream, 2)); // never held: only the first event's state before is known without a read

        states.Advance(stream, recorded[0], states.Before(stream, 0)!);
        Assert.NotNull(states.Before(stream, 1));
        Assert.Null(states.Before(stream, 2)); // revision 1 never reached this lane
    }

    [Fact]
    public void A_full_lane_drops_what_it_holds_rather_than_grow()
    {
        var states = new LaneStates(Serializer, capacity: 1);
        var first = Recorded(History[..1], "quote-Q-A");
        var second = Recorded(History[..1], "quote-Q-B");
        var streamA = Expiry.StreamOf(History[0]) with { Id = "quote-Q-A" };
        var streamB = Expiry.StreamOf(History[0]) with { Id = "quote-Q-B" };
        states.Advance(streamA, first[0], streamA.Initial);
        states.Advance(streamB, second[0], streamB.Initial);
        Assert.Null(states.Before(streamA, 1));
        Assert.NotNull(states.Before(streamB, 1));
    }

    /// <summary>States hold immutable lists, equal by reference only: compare what they say.</summary>
    private static string Json(object state) => System.Text.Json.JsonSerializer.Serialize(state, state.GetType(), Serializer.Options);

    private static List<RecordedEvent> Recorded(IEnumerable<object> events, string streamId = "quote-Q-1001") =>
        events.Select((e, revision) =>
        {
            var (type, data) = Serializer.Serialize(e);
            return new RecordedEvent(Guid.NewGuid(), streamId, revision, new GlobalPosition((ulong)revision + 1), type, data,
                new EventMetadata("corr", "cause", "alice.rep", "salesforce", null, NodaTime.Instant.FromUtc(2025, 11, 3, 14, 0)), "", "");
        }).ToList();
}
