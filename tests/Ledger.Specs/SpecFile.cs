using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Ledger.Specs;

public sealed record SpecEvent(string Type, JsonNode Data);

public sealed record SpecRefusal(string Code, string? Kind, string? Field);

/// <summary>
/// One given-when-then file (ADR/0007), one spec per file:
/// <code>
/// title: A sent quote is accepted by the customer's signature
/// stream: quote
/// at: 2026-03-10T14:00:00Z          # the clock when the command is decided
/// given:                            # events by versioned name, data in camelCase
///   - quote-drafted.v1: { ... }
/// when:
///   accept-quote: { ... }           # one command, by kebab-case name
/// then:                             # the events decided, or `then: nothing`
///   - quote-accepted.v1: { ... }
/// refused: { code: quote.not-sent } # instead of then: refused, no events (kind and field optional)
/// </code>
/// Anchors, aliases and merge keys (<c>&lt;&lt;: *drafted</c>) may be used within a file.
/// </summary>
public sealed record SpecFile(
    string Path, string Title, string Stream, string At, IReadOnlyList<SpecEvent> Given, string Command, JsonNode CommandData,
    IReadOnlyList<SpecEvent>? ThenEvents, SpecRefusal? ThenRefused)
{
    public static string Root { get; } = FindRoot();

    private static readonly string[] Keys = ["title", "stream", "at", "given", "when", "then", "refused"];

    /// <summary>The file of named histories specs share (<c>specs/fixtures.yaml</c>); not a spec itself.</summary>
    public const string FixturesFile = "fixtures.yaml";

    /// <summary>Every spec, by path relative to <c>specs/</c>, in a stable order.</summary>
    public static IEnumerable<string> All() =>
        Directory.EnumerateFiles(Root, "*.yaml", SearchOption.AllDirectories)
            .Select(f => System.IO.Path.GetRelativePath(Root, f).Replace('\\', '/'))
            .Where(f => f != FixturesFile)
            .Order(StringComparer.Ordinal);

    /// <summary>Each named history of <c>specs/fixtures.yaml</c> with its events.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<SpecEvent>> Fixtures => LazyFixtures.Value;

    private static readonly Lazy<IReadOnlyDictionary<string, IReadOnlyList<SpecEvent>>> LazyFixtures = new(() =>
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(System.IO.Path.Combine(Root, FixturesFile)))
            yaml.Load(reader);
        var root = ToJson(yaml.Documents[0].RootNode) as JsonObject ?? throw Bad(FixturesFile, "fixtures are a mapping of names to event lists.");
        return root.ToDictionary(f => f.Key, f => Events(f.Value as JsonArray ?? throw Bad(FixturesFile, $"'{f.Key}' is a list of events."), FixturesFile, f.Key, fixtures: false));
    });

    public static SpecFile Load(string path)
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(System.IO.Path.Combine(Root, path)))
            yaml.Load(reader);
        var root = ToJson(yaml.Documents[0].RootNode) as JsonObject ?? throw Bad(path, "a spec is a mapping of title, stream, at, given, when, then/refused.");
        if (root.Select(p => p.Key).FirstOrDefault(k => !Keys.Contains(k)) is { } unknown)
            throw Bad(path, $"unknown key '{unknown}'; a spec has {string.Join(", ", Keys)}.");

        var (command, data) = Single(root["when"] as JsonObject ?? throw Bad(path, "'when' names one command: `when: {{ command-name: {{ ... }} }}`."), path, "when");

        IReadOnlyList<SpecEvent>? thenEvents = root["then"] switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String && v.GetValue<string>() == "nothing" => [],
            JsonArray events => Events(events, path, "then", fixtures: false),
            _ => throw Bad(path, "'then' is a list of events or `nothing`."),
        };
        var refused = root["refused"] switch
        {
            null => null,
            JsonObject r => new SpecRefusal(
                r["code"]?.GetValue<string>() ?? throw Bad(path, "'refused' needs a code."), r["kind"]?.GetValue<string>(), r["field"]?.GetValue<string>()),
            _ => throw Bad(path, "'refused' is `{ code: ..., field: ... }`."),
        };
        if ((refused is null) == (thenEvents is null))
            throw Bad(path, "a spec has either 'then' (events or nothing) or 'refused'.");

        return new SpecFile(
            path,
            Text(root, "title", path),
            Text(root, "stream", path),
            Text(root, "at", path),
            root["given"] switch
            {
                null => [],
                JsonArray given => Events(given, path, "given", fixtures: true),
                _ => throw Bad(path, "'given' is a list of events."),
            },
            command,
            data,
            thenEvents,
            refused);
    }

    /// <param name="fixtures">Whether an item may name a fixture (a plain text item) that stands for its events.</param>
    private static IReadOnlyList<SpecEvent> Events(JsonArray events, string path, string where, bool fixtures) =>
        events.SelectMany((e, i) =>
        {
            if (fixtures && e is JsonValue name && name.GetValueKind() == System.Text.Json.JsonValueKind.String)
                return Fixtures.TryGetValue(name.GetValue<string>(), out var history)
                    ? history.Select(h => h with { Data = h.Data.DeepClone() })
                    : throw Bad(path, $"{where}[{i}] names no fixture of specs/{FixturesFile}: '{name.GetValue<string>()}'.");
            var (type, data) = Single(e as JsonObject ?? throw Bad(path, $"{where}[{i}] is `- event-name.vN: {{ ... }}` or a fixture's name."), path, $"{where}[{i}]");
            return [new SpecEvent(type, data)];
        }).ToList();

    /// <summary>A one-key mapping: the name (of an event or command) and its data.</summary>
    private static (string Name, JsonNode Data) Single(JsonObject o, string path, string where) =>
        o.Count == 1
            ? (o.First().Key, o.First().Value?.DeepClone() ?? new JsonObject())
            : throw Bad(path, $"{where} holds exactly one name with its data, not {o.Count}.");

    private static string Text(JsonObject o, string key, string path) =>
        o[key] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : throw Bad(path, $"'{key}' is missing.");

    private static InvalidDataException Bad(string path, string problem) => new($"specs/{path}: {problem}");

    private static readonly Regex Number = new(@"^-?\d+(\.\d+)?$", RegexOptions.Compiled);

    /// <summary>
    /// YAML to JSON. Unquoted numbers are decimals, true/false booleans, null (or nothing) null; everything else,
    /// and anything quoted, is text, so instants and dates stay ISO strings and a version named "1.2" is written in quotes.
    /// </summary>
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode m => Mapping(m),
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

    /// <summary>
    /// A mapping, with YAML merge keys applied: <c>&lt;&lt;: *granted</c> (or a list of aliases) brings in the keys of the
    /// anchored mapping, and keys written beside it win. YamlDotNet's MergingParser keeps both copies of an
    /// overridden key, which the representation model then rejects as a duplicate, so merging is done here.
    /// </summary>
    private static JsonObject Mapping(YamlMappingNode m)
    {
        var result = new JsonObject();
        foreach (var (key, value) in m.Children)
            if (((YamlScalarNode)key).Value != "<<")
                result[((YamlScalarNode)key).Value!] = ToJson(value);
        foreach (var (key, value) in m.Children.Where(c => ((YamlScalarNode)c.Key).Value == "<<"))
        {
            var sources = value is YamlSequenceNode list ? list.Children : [value];
            foreach (var source in sources)
                foreach (var (k, v) in Mapping(source as YamlMappingNode ?? throw new InvalidDataException("'<<' merges a mapping (an alias such as *drafted).")))
                    if (!result.ContainsKey(k)) result[k] = v?.DeepClone();
        }
        return result;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Ledger.sln")))
                return System.IO.Path.Combine(dir.FullName, "specs");
        throw new DirectoryNotFoundException("No Ledger.sln above the test binaries, so no specs/ folder.");
    }
}
