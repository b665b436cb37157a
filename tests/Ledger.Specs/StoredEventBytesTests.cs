using System.Text;
using Ledger.Application;
using Ledger.EventStore;

namespace Ledger.Specs;

/// <summary>
/// Typed ids (ADR/0028) changed the CLR shape of every command and event, not what is stored: each sample event is
/// written by the event store's own serializer to exactly the bytes recorded in <c>__fixtures__/stored-events.jsonl</c>,
/// which were written while every id was a <c>string</c>; and those recorded bytes read back as the same event.
/// Stored events feed the hash chain (ADR/0009), so one byte more would break every verification.
/// </summary>
public sealed class StoredEventBytesTests
{
    private static readonly EventSerializer Serializer = new(LedgerEventTypes.Registry());

    private static readonly string FixturePath = Path.Combine(AppContext.BaseDirectory, "__fixtures__", "stored-events.jsonl");

    /// <summary>One line per event: its stored type name, a tab, its stored data, as written with string ids.</summary>
    private static Dictionary<string, string> Recorded() =>
        File.ReadAllLines(FixturePath).Where(l => l.Length > 0).Select(l => l.Split('\t', 2)).ToDictionary(p => p[0], p => p[1]);

    public static TheoryData<string> EventTypeNames() => new(EventSamples.All.Select(e => Serializer.Registry.NameOf(e.GetType())));

    [Theory]
    [MemberData(nameof(EventTypeNames))]
    public void An_event_is_stored_as_the_bytes_string_ids_wrote(string eventName)
    {
        var sample = EventSamples.All.Single(e => Serializer.Registry.NameOf(e.GetType()) == eventName);
        Assert.True(Recorded().TryGetValue(eventName, out var recorded), $"{eventName} has no recorded line in {FixturePath}.");

        var (type, data) = Serializer.Serialize(sample);

        Assert.Equal(eventName, type);
        Assert.Equal(recorded, Encoding.UTF8.GetString(data));
    }

    [Theory]
    [MemberData(nameof(EventTypeNames))]
    public void The_recorded_bytes_read_back_as_the_same_event(string eventName)
    {
        var sample = EventSamples.All.Single(e => Serializer.Registry.NameOf(e.GetType()) == eventName);
        var read = Serializer.Deserialize(eventName, Encoding.UTF8.GetBytes(Recorded()[eventName]));

        // Records compare lists by reference, so compare what each writes; the byte test above pins the writing.
        Assert.IsType(sample.GetType(), read);
        Assert.Equal(Encoding.UTF8.GetString(Serializer.Serialize(sample).Data), Encoding.UTF8.GetString(Serializer.Serialize(read).Data));
    }
}
