using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;

namespace Ledger.Specs;

/// <summary>How specs turn data into records and records back into comparable JSON.</summary>
public static class SpecJson
{
    /// <summary>
    /// The event store's settings (web defaults: camelCase, NodaTime's ISO patterns), plus enums by name so a
    /// spec says <c>DealDesk</c>, not <c>0</c>, as the HTTP API does.
    /// </summary>
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = true,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            // A spec that leaves out a field, misspells one or writes null where the record forbids it is wrong, not lenient.
            RespectRequiredConstructorParameters = true,
            RespectNullableAnnotations = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);
        return options;
    }

    public static JsonNode ToNode(object value) => JsonSerializer.SerializeToNode(value, value.GetType(), Options)!;

    /// <summary>
    /// Indented JSON with numbers normalised (12000.00 and 12000 are the same amount), so expected and actual
    /// differ only where the facts differ.
    /// </summary>
    public static string Canonical(JsonNode? node) => Normalise(node)?.ToJsonString(Options) ?? "null";

    private static JsonNode? Normalise(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Normalise(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Normalise).ToArray()),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number =>
            JsonValue.Create(decimal.Parse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture) / 1.0000000000000000000000000000m),
        _ => node.DeepClone(),
    };
}
