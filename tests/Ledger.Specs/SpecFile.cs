using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Ledger.Specs;

public sealed record SpecEvent(string Type, JsonNode Data);

/// <summary>
/// One given-when-then file (ADR/0007):
/// <c>title</c>; <c>given</c>: events (<c>type</c>, <c>data</c>); <c>when</c>: <c>command</c>, <c>at</c>, <c>data</c>;
/// <c>then</c>: <c>events</c> (possibly empty: nothing happens) or <c>refused</c> (<c>code</c>, optional <c>kind</c>, <c>field</c>).
/// </summary>
public sealed record SpecFile(
    string Path, string Title, IReadOnlyList<SpecEvent> Given, string Command, string At, JsonNode CommandData,
    IReadOnlyList<SpecEvent>? ThenEvents, SpecRefusal? ThenRefused)
{
    public static string Root { get; } = FindRoot();

    /// <summary>Every spec, by path relative to <c>specs/</c>, in a stable order.</summary>
    public static IEnumerable<string> All() =>
        Directory.EnumerateFiles(Root, "*.yaml", SearchOption.AllDirectories)
            .Select(f => System.IO.Path.GetRelativePath(Root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

    public static SpecFile Load(string path)
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(System.IO.Path.Combine(Root, path))) yaml.Load(reader);
        var root = (JsonObject)ToJson(yaml.Documents[0].RootNode)!;

        var when = Required<JsonObject>(root, "when", path);
        var then = Required<JsonObject>(root, "then", path);
        var refused = then["refused"] is JsonObject r
            ? new SpecRefusal(Required<JsonValue>(r, "code", path).GetValue<string>(), r["kind"]?.GetValue<string>(), r["field"]?.GetValue<string>())
            : null;
        var thenEvents = then["events"] is JsonArray events ? Events(events, path) : null;
        if ((refused is null) == (thenEvents is null))
            throw new InvalidDataException($"{path}: 'then' holds either 'events' or 'refused'.");

        return new SpecFile(
            path,
            Required<JsonValue>(root, "title", path).GetValue<string>(),
            root["given"] is JsonArray given ? Events(given, path) : [],
            Required<JsonValue>(when, "command", path).GetValue<string>(),
            Required<JsonValue>(when, "at", path).GetValue<string>(),
            when["data"] ?? new JsonObject(),
            thenEvents,
            refused);
    }

    private static IReadOnlyList<SpecEvent> Events(JsonArray events, string path) =>
        events.Select(e => new SpecEvent(Required<JsonValue>((JsonObject)e!, "type", path).GetValue<string>(), e!["data"] ?? new JsonObject())).ToList();

    private static T Required<T>(JsonObject o, string key, string path) where T : JsonNode =>
        o[key] as T ?? throw new InvalidDataException($"{path}: '{key}' is missing.");

    private static readonly Regex Number = new(@"^-?\d+(\.\d+)?$", RegexOptions.Compiled);

    /// <summary>
    /// YAML to JSON. Unquoted numbers, true/false and null keep their type; anything quoted is text
    /// (so a version named "1.2" is written in quotes).
    /// </summary>
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode s => new JsonArray(s.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain } p => p.Value switch
        {
            null or "" or "~" or "null" => null,
            "true" => JsonValue.Create(true),
            "false" => JsonValue.Create(false),
            var v when Number.IsMatch(v) => JsonValue.Create(decimal.Parse(v, CultureInfo.InvariantCulture)),
            var v => JsonValue.Create(v),
        },
        YamlScalarNode q => JsonValue.Create(q.Value ?? ""),
        _ => throw new InvalidDataException($"Unsupported YAML node {node.NodeType}."),
    };

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Ledger.sln")))
                return System.IO.Path.Combine(dir.FullName, "specs");
        throw new DirectoryNotFoundException("No Ledger.sln above the test binaries, so no specs/ folder.");
    }
}

public sealed record SpecRefusal(string Code, string? Kind, string? Field);
