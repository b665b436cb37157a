using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ledger.Domain;
using NodaTime.Text;

namespace Ledger.Specs;

/// <summary>Plays a spec: folds the given events, decides the command at the spec's instant, compares with then/refused.</summary>
public static class SpecRunner
{
    internal static readonly Dictionary<string, Type> EventTypes = EventNames.All.ToDictionary(e => e.Name, e => e.Type);
    internal static readonly Dictionary<Type, string> EventNamesByType = EventNames.All.ToDictionary(e => e.Type, e => e.Name);

    /// <summary>In an expected event, this text matches any value at its place (kept for pricing hashes).</summary>
    public const string Wildcard = "*";

    [StackTraceHidden]
    public static void Verify(SpecFile spec)
    {
        var stream = Streams.ByName.GetValueOrDefault(spec.Stream)
                     ?? throw Bad(spec, $"unknown stream '{spec.Stream}'; streams: {string.Join(", ", Streams.ByName.Keys)}.");
        var commandType = stream.Commands.GetValueOrDefault(spec.Command)
                          ?? throw Bad(spec, $"'{spec.Command}' is not a command of the {stream.Name} stream; its commands: {string.Join(", ", stream.Commands.Keys)}.");
        var given = spec.Given.Select((e, i) => Read(EventOf(stream, e.Type, spec), e.Data, spec.Path, $"given[{i}] {e.Type}")).ToList();
        var command = Read(commandType, spec.CommandData, spec.Path, $"when {spec.Command}");
        var at = InstantPattern.ExtendedIso.Parse(spec.At);
        if (!at.Success) throw Bad(spec, $"'at: {spec.At}' is not an ISO instant such as 2026-03-10T14:00:00Z.");

        var outcome = stream.Decide(given, command, at.Value);
        var actual = Describe(outcome);

        JsonObject expected;
        if (spec.ThenRefused is { } refused)
        {
            // Only what the spec states is compared: the code always, kind and field when given; the message is shown, not compared.
            expected = new JsonObject
            {
                ["refused"] = new JsonObject
                {
                    ["code"] = refused.Code,
                    ["kind"] = refused.Kind ?? outcome.Refusal?.Kind.ToString(),
                    ["field"] = refused.Field ?? outcome.Refusal?.Field,
                    ["message"] = outcome.Refusal?.Message,
                },
            };
        }
        else
        {
            expected = new JsonObject
            {
                ["events"] = new JsonArray(spec.ThenEvents!.Select((e, i) =>
                    (JsonNode)Expectation("type", e.Type, EventOf(stream, e.Type, spec), e.Data, spec.Path, $"then[{i}] {e.Type}")).ToArray()),
            };
        }
        Compare(spec.Path, spec.Title, $"when {spec.Command} at {spec.At}", expected, actual);
    }

    /// <summary>A named value as compared: <c>{ "type": "quote-accepted.v1", "data": { ... } }</c> (the key says what the name is).</summary>
    public static JsonObject Envelope(string type, object data, string key = "type") => new() { [key] = type, ["data"] = SpecJson.ToNode(data) };

    /// <summary>
    /// What a spec expects, normalised: its data read into <paramref name="type"/> (so a misspelt or missing field fails) and
    /// written back as the actual value is, in an <see cref="Envelope"/>, with the spec's wildcards put back where it wrote them.
    /// </summary>
    public static JsonObject Expectation(string key, string name, Type type, JsonNode data, string path, string where)
    {
        var expected = Envelope(name, Read(type, data, path, where), key);
        RestoreWildcards(data, expected["data"]);
        return expected;
    }

    private static JsonObject Describe(Outcome outcome) => outcome.Refusal is { } r
        ? new JsonObject
        {
            ["refused"] = new JsonObject { ["code"] = r.Code, ["kind"] = r.Kind.ToString(), ["field"] = r.Field, ["message"] = r.Message },
        }
        : new JsonObject
        {
            ["events"] = new JsonArray(outcome.Events.Select(e =>
                (JsonNode)Envelope(EventNamesByType.GetValueOrDefault(e.GetType()) ?? $"(unregistered {e.GetType().Name})", e)).ToArray()),
        };

    private static Type EventOf(SpecStream stream, string name, SpecFile spec)
    {
        var type = EventTypes.GetValueOrDefault(name) ?? throw Bad(spec, $"unknown event type '{name}' (see EventNames).");
        return stream.EventTypes.Contains(type) ? type : throw Bad(spec, $"{name} is not an event of the {stream.Name} stream.");
    }

    /// <summary>A spec's data as the record it names; data that does not make one fails the spec, saying where.</summary>
    public static object Read(Type type, JsonNode data, string path, string where)
    {
        try
        {
            return data.Deserialize(type, SpecJson.Options) ?? throw SpecYaml.Bad(path, $"{where}: no data.");
        }
        catch (JsonException e)
        {
            throw SpecYaml.Bad(path, $"{where}: the data does not make a {type.Name}: {e.Message}");
        }
    }

    /// <summary>Copies each <c>"*"</c> of the spec's data over the deserialised expectation at the same path.</summary>
    private static void RestoreWildcards(JsonNode? written, JsonNode? expected)
    {
        switch (written)
        {
            case JsonObject o when expected is JsonObject e:
                foreach (var (key, value) in o)
                    if (IsWildcard(value)) e[key] = Wildcard;
                    else RestoreWildcards(value, e[key]);
                break;
            case JsonArray a when expected is JsonArray e:
                for (var i = 0; i < Math.Min(a.Count, e.Count); i++)
                    if (IsWildcard(a[i])) e[i] = Wildcard;
                    else RestoreWildcards(a[i], e[i]);
                break;
        }
    }

    private static bool IsWildcard(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == Wildcard;

    /// <summary>Where the expectation holds a wildcard, takes the actual value, so only the other facts are compared.</summary>
    private static JsonNode? Unify(JsonNode? expected, JsonNode? actual) => expected switch
    {
        _ when IsWildcard(expected) && actual is not null => actual.DeepClone(),
        JsonObject e when actual is JsonObject a => new JsonObject(e.Select(p => KeyValuePair.Create(p.Key, Unify(p.Value, a[p.Key])))),
        JsonArray e when actual is JsonArray a => new JsonArray(e.Select((x, i) => Unify(x, i < a.Count ? a[i] : null)).ToArray()),
        _ => expected?.DeepClone(),
    };

    /// <summary>Expected against actual, canonically (wildcards matching anything); a difference fails with both side by side.</summary>
    /// <param name="situation">What was played, under the title: <c>when accept-quote at 2026-03-10T14:00:00Z</c>.</param>
    [StackTraceHidden]
    public static void Compare(string path, string title, string situation, JsonNode expected, JsonNode actual)
    {
        var e = SpecJson.Canonical(Unify(expected, actual));
        var a = SpecJson.Canonical(actual);
        if (e != a) throw new SpecFailedException(path, title, situation, SideBySide(e, a));
    }

    /// <summary>Expected on the left, actual on the right; lines that differ are marked with '≠'.</summary>
    public static string SideBySide(string expected, string actual)
    {
        var left = expected.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var right = actual.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var width = Math.Max(left.Append("expected").Max(l => l.Length), 20);
        var text = new StringBuilder().Append("expected".PadRight(width)).Append("   actual\n");
        for (var i = 0; i < Math.Max(left.Length, right.Length); i++)
        {
            var l = i < left.Length ? left[i] : "";
            var r = i < right.Length ? right[i] : "";
            text.Append(l.PadRight(width)).Append(l == r ? " | " : " ≠ ").Append(r).Append('\n');
        }
        return text.ToString();
    }

    private static InvalidDataException Bad(SpecFile spec, string problem) => SpecYaml.Bad(spec.Path, problem);
}

/// <summary>A spec whose outcome differs from what it says; the message is the side-by-side comparison.</summary>
public sealed class SpecFailedException(string path, string title, string situation, string comparison)
    : Exception($"specs/{path}: {title}\n{situation}\n\n{comparison}");
