using System.Text.Json;
using System.Text.Json.Nodes;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;

namespace Ledger.EventStore;

/// <summary>
/// Maps event CLR types to stable, versioned type names (e.g. <c>quote-drafted.v1</c>) and back.
/// Names are facts about stored data: a shipped name is never reused for another shape (ADR/0005).
/// </summary>
public sealed class EventTypeRegistry
{
    private readonly Dictionary<string, Type> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, string> _byType = new();
    private readonly Dictionary<string, Upcaster> _upcasters = new(StringComparer.Ordinal);

    /// <summary>Turns the data of an old type name into a newer name and shape.</summary>
    public delegate (string Type, JsonNode Data) Upcaster(JsonNode data);

    public EventTypeRegistry Register(Type type, string name)
    {
        if (_byName.TryGetValue(name, out var existing) && existing != type)
            throw new InvalidOperationException($"Event type name '{name}' is already registered for {existing.Name}.");
        _byName[name] = type;
        _byType[type] = name;
        return this;
    }

    public EventTypeRegistry Register<T>(string name) => Register(typeof(T), name);

    /// <summary>Registers how stored events of an old type name are read as a current type.</summary>
    public EventTypeRegistry Upcast(string oldName, Upcaster upcaster)
    {
        _upcasters[oldName] = upcaster;
        return this;
    }

    public IReadOnlyDictionary<string, Type> Types => _byName;

    public string NameOf(Type type) =>
        _byType.TryGetValue(type, out var name)
            ? name
            : throw new InvalidOperationException($"{type.Name} has no registered event type name.");

    public bool TryGetType(string name, out Type type) => _byName.TryGetValue(name, out type!);

    /// <summary>Whether events stored under this name read as ledger events: a current name, or an old one with its upcaster.</summary>
    public bool Knows(string name) => _byName.ContainsKey(name) || _upcasters.ContainsKey(name);

    /// <summary>Old names and how each is read as a current one.</summary>
    public IReadOnlyDictionary<string, Upcaster> Upcasters => _upcasters;

    internal bool TryGetUpcaster(string name, out Upcaster upcaster) => _upcasters.TryGetValue(name, out upcaster!);
}

/// <summary>System.Text.Json with NodaTime, camelCase, and the registry's names and upcasters.</summary>
public sealed class EventSerializer(EventTypeRegistry registry)
{
    /// <summary>Enums are stored by name (<c>"DealDesk"</c>), so stored events read as words and survive reordered enums.</summary>
    public static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web).ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);
        options.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter());
        return options;
    }

    public JsonSerializerOptions Options { get; } = CreateOptions();

    public EventTypeRegistry Registry => registry;

    public (string Type, byte[] Data) Serialize(object @event) =>
        (registry.NameOf(@event.GetType()), JsonSerializer.SerializeToUtf8Bytes(@event, @event.GetType(), Options));

    /// <summary>The event as the ledger's type, or why it cannot be read: an unknown type, or data that does not fit it.</summary>
    public bool TryRead(RecordedEvent recorded, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out object? @event,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? reason)
    {
        try
        {
            @event = Deserialize(recorded.Type, recorded.Data.Span);
            reason = null;
            return true;
        }
        catch (Exception e) when (e is UnknownEventTypeException or JsonException or NotSupportedException or ArgumentException
                                      or InvalidOperationException or FormatException)
        {
            @event = null;
            reason = e is UnknownEventTypeException ? "not an event type the ledger writes" : $"its data does not read as '{recorded.Type}': {e.Message}";
            return false;
        }
    }

    /// <summary>The event as the ledger's type; throws <see cref="UnreadableEventException"/> when it cannot be read.</summary>
    public object Read(RecordedEvent recorded) =>
        TryRead(recorded, out var @event, out var reason) ? @event : throw new UnreadableEventException(recorded, reason);

    public object Deserialize(string type, ReadOnlySpan<byte> data)
    {
        if (registry.TryGetUpcaster(type, out var upcast))
        {
            var (newType, node) = upcast(JsonNode.Parse(data) ?? throw new JsonException($"Event '{type}' has no data."));
            return Deserialize(newType, JsonSerializer.SerializeToUtf8Bytes(node, Options));
        }
        if (!registry.TryGetType(type, out var clrType))
            throw new UnknownEventTypeException(type);
        return JsonSerializer.Deserialize(data, clrType, Options)
               ?? throw new JsonException($"Event '{type}' deserialized to null.");
    }
}

/// <summary>
/// A stream holds an event the ledger cannot read (not one of its types, or data that does not fit the type): nothing
/// can be decided on that stream until someone looks at it. Never a 500: the API answers 409 <c>stream.unreadable</c>.
/// </summary>
public sealed class UnreadableEventException(RecordedEvent recorded, string reason)
    : Exception($"{recorded.StreamId} holds an event the ledger cannot read at revision {recorded.Revision} ('{recorded.Type}'): {reason}")
{
    public RecordedEvent Event { get; } = recorded;
    public string Reason { get; } = reason;
}

public sealed class UnknownEventTypeException(string type)
    : Exception($"No event type is registered under the name '{type}'.")
{
    public string Type { get; } = type;
}
