using System.Text.Json;
using Ledger.Domain;
using Snapshooter;
using Snapshooter.Xunit;

namespace Ledger.Specs;

/// <summary>
/// The stored shape of every event. A shipped shape is never edited (a new version is added), so a change here
/// shows up as a snapshot diff in review.
/// </summary>
public sealed class EventShapeTests
{
    public static TheoryData<string> EventTypeNames() => new(EventNames.All.Select(e => e.Name));

    [Theory]
    [MemberData(nameof(EventTypeNames))]
    public void Event_json_shape(string eventName)
    {
        var type = EventNames.All.Single(e => e.Name == eventName).Type;
        var sample = EventSamples.All.SingleOrDefault(s => s.GetType() == type);
        Assert.True(sample is not null, $"EventSamples has no sample of {type.Name} ({eventName}).");

        var json = JsonSerializer.Serialize(sample, type, SpecJson.Options);
        // The shape read back must be the shape written: nothing dropped, nothing renamed.
        Assert.Equal(json, JsonSerializer.Serialize(JsonSerializer.Deserialize(json, type, SpecJson.Options), type, SpecJson.Options));
        Snapshot.Match(json, SnapshotNameExtension.Create(eventName));
    }

    [Fact]
    public void Every_event_type_has_one_unique_versioned_name()
    {
        var names = EventNames.All.Select(e => e.Name).ToList();
        Assert.Empty(names.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key));
        Assert.Empty(EventNames.All.GroupBy(e => e.Type).Where(g => g.Count() > 1).Select(g => g.Key.Name));
        Assert.All(names, n => Assert.Matches(@"^[a-z]+(-[a-z]+)*\.v[1-9][0-9]*$", n));
    }

    [Fact]
    public void Every_concrete_event_type_in_the_domain_is_registered()
    {
        // Each decider's event type (QuoteEvent, ReportedFactEvent, ...) is the base of its stream's events.
        var eventBases = typeof(Deciders).GetFields().Select(f => f.FieldType.GetGenericArguments()[1]).ToList();
        var concrete = typeof(EventNames).Assembly.GetTypes()
            .Where(t => t is { IsAbstract: false, IsClass: true } && eventBases.Any(b => b.IsAssignableFrom(t)))
            .Select(t => t.Name).Order().ToList();
        Assert.Equal(concrete, EventNames.All.Select(e => e.Type.Name).Order().ToList());
    }

    [Fact]
    public void Every_command_type_has_one_unique_name()
    {
        Assert.Equal(CommandNames.All.Count, CommandNames.All.Select(c => c.Name).Distinct().Count());
        Assert.Equal(CommandNames.All.Count, CommandNames.All.Select(c => c.Type).Distinct().Count());
    }

    [Fact]
    public void Every_event_type_appears_in_at_least_one_spec()
    {
        var used = SpecFile.All().Select(SpecFile.Load)
            .SelectMany(s => s.Given.Select(e => e.Type).Concat(s.ThenEvents?.Select(e => e.Type) ?? []))
            .ToHashSet();
        var missing = EventNames.All.Select(e => e.Name).Where(n => !used.Contains(n)).ToList();
        Assert.True(missing.Count == 0, $"No spec mentions: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Every_command_appears_in_at_least_one_spec()
    {
        var used = SpecFile.All().Select(SpecFile.Load).Select(s => s.Command).ToHashSet();
        var missing = CommandNames.All.Select(c => c.Name).Where(n => !used.Contains(n)).ToList();
        Assert.True(missing.Count == 0, $"No spec sends: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Every_event_type_belongs_to_exactly_one_stream()
    {
        var owners = EventNames.All.Select(e => (e.Name, Streams: Streams.All.Where(s => s.EventTypes.Contains(e.Type)).Select(s => s.Name).ToList()));
        Assert.Empty(owners.Where(o => o.Streams.Count != 1).Select(o => $"{o.Name}: [{string.Join(", ", o.Streams)}]"));
    }
}
