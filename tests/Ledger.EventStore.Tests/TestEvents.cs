using System.Text;
using NodaTime;

namespace Ledger.EventStore.Tests;

public sealed record TestHappened(int N);

public sealed record TestDocumented(string Text, decimal Amount, Instant At);

/// <summary>The contract's event types and how the tests build events to append.</summary>
public static class TestEvents
{
    public static readonly EventTypeRegistry Registry = new EventTypeRegistry()
        .Register<TestHappened>("test-happened.v1")
        .Register<TestDocumented>("test-documented.v1");

    public static readonly EventSerializer Serializer = new(Registry);

    public static string NewStream() => $"test-{Guid.NewGuid():N}";

    public static EventMetadata Metadata(string? idempotencyKey = null) => new(
        CorrelationId: $"corr-{Guid.NewGuid():N}",
        CausationId: $"cause-{Guid.NewGuid():N}",
        Actor: "tester@example.com",
        SourceSystem: "contract-tests",
        IdempotencyKey: idempotencyKey,
        // Whole microseconds: what every backend can keep exactly.
        RecordedAt: Instant.FromUnixTimeTicks(SystemClock.Instance.GetCurrentInstant().ToUnixTimeTicks() / 10 * 10));

    public static EventToAppend Event(object body, Guid? id = null, EventMetadata? metadata = null)
    {
        var (type, data) = Serializer.Serialize(body);
        return new EventToAppend(id ?? Guid.NewGuid(), type, data, metadata ?? Metadata());
    }

    public static EventToAppend[] Happened(int from, int count) =>
        Enumerable.Range(from, count).Select(n => Event(new TestHappened(n))).ToArray();

    public static int N(RecordedEvent e) =>
        ((TestHappened)Serializer.Deserialize(e.Type, e.Data.Span)).N;

    public static string Text(RecordedEvent e) => Encoding.UTF8.GetString(e.Data.Span);
}
