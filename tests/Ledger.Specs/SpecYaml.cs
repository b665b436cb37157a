using Ledger.EventStore;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Ledger.Specs;

/// <summary>
/// What every kind of spec file shares (ADR/0007): finding <c>specs/</c>, YAML to JSON (with merge keys), the named
/// histories of <c>specs/fixtures.yaml</c>, and reading the one-name items (<c>- event-name.vN: { ... }</c>) of a list.
/// <see cref="SpecFile"/> (decider specs) and <see cref="ReactionSpec"/> (reactor specs) are built on it.
/// </summary>
public static class SpecYaml
{
    /// <summary>The <c>specs/</c> folder, found by walking up from the test binaries to <c>Ledger.sln</c>.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The file of named histories specs share (<c>specs/fixtures.yaml</c>); not a spec itself.</summary>
    public const string FixturesFile = "fixtures.yaml";

    /// <summary>Every <c>.yaml</c> file under <c>specs/</c> but the fixtures, by path relative to it, in a stable order.</summary>
    public static IEnumerable<string> Files() =>
        Directory.EnumerateFiles(Root, "*.yaml", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/'))
            .Where(f => f != FixturesFile)
            .Order(StringComparer.Ordinal);

    /// <summary>
    /// Each named history of <c>specs/fixtures.yaml</c> with its events. A fixture may begin from (name) an earlier
    /// one, so a history that only goes one step further is written as that step.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<SpecEvent>> Fixtures => LazyFixtures.Value;

    private static readonly Lazy<IReadOnlyDictionary<string, IReadOnlyList<SpecEvent>>> LazyFixtures = new(() =>
    {
        var root = Load(FixturesFile, "fixtures are a mapping of names to event lists.");
        var fixtures = new Dictionary<string, IReadOnlyList<SpecEvent>>();
        foreach (var (name, events) in root)
            fixtures[name] = Events(events as JsonArray ?? throw Bad(FixturesFile, $"'{name}' is a list of events."), FixturesFile, name,
                earlier => fixtures.GetValueOrDefault(earlier));
        return fixtures;
    });

    /// <summary>A spec file as JSON: its top-level mapping, with only the keys given allowed.</summary>
    public static JsonObject Load(string path, string shape, IReadOnlyCollection<string>? keys = null)
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(Root, path)))
            yaml.Load(reader);
        var root = (yaml.Documents.Count > 0 ? ToJson(yaml.Documents[0].RootNode) : null) as JsonObject ?? throw Bad(path, shape);
        if (keys is not null && root.Select(p => p.Key).FirstOrDefault(k => !keys.Contains(k)) is { } unknown)
            throw Bad(path, $"unknown key '{unknown}'; a spec has {string.Join(", ", keys)}.");
        return root;
    }

    /// <summary>A <c>given:</c> list: events, or names of fixtures that stand for theirs. Missing means no history.</summary>
    public static IReadOnlyList<SpecEvent> Given(JsonObject root, string path) => root["given"] switch
    {
        null => [],
        JsonArray given => Events(given, path, "given", name => Fixtures.GetValueOrDefault(name)),
        _ => throw Bad(path, "'given' is a list of events."),
    };

    /// <summary>
    /// A <c>then:</c> list of named items (events, or a reactor's commands and messages), <c>then: nothing</c> (an empty
    /// list), or null when the spec has no <c>then</c>. Never a fixture: what follows is written out.
    /// </summary>
    public static IReadOnlyList<SpecEvent>? Then(JsonObject root, string path, string items) => root["then"] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == "nothing" => [],
        JsonArray list => Events(list, path, "then", fixture: null),
        _ => throw Bad(path, $"'then' is a list of {items} or `nothing`."),
    };

    /// <param name="fixture">The events of a plain text item (a fixture's name), null if unknown; null: no item may name one.</param>
    public static IReadOnlyList<SpecEvent> Events(JsonArray events, string path, string where, Func<string, IReadOnlyList<SpecEvent>?>? fixture) =>
        events.SelectMany((e, i) =>
        {
            if (fixture is not null && e is JsonValue name && name.GetValueKind() == JsonValueKind.String)
                return fixture(name.GetValue<string>()) is { } history
                    ? history.Select(h => h with { Data = h.Data.DeepClone() })
                    : throw Bad(path, $"{where}[{i}] names no fixture of specs/{FixturesFile}: '{name.GetValue<string>()}'.");
            var (type, data) = Single(e as JsonObject ?? throw Bad(path, $"{where}[{i}] is `- name: {{ ... }}`{(fixture is null ? "" : " or a fixture's name")}."),
                path, $"{where}[{i}]");
            // A history may hold an old version of an event: it is read as the store reads it, upcast to the current one.
            return [fixture is null ? new SpecEvent(type, data) : AsRead(new SpecEvent(type, data))];
        }).ToList();

    private static readonly EventTypeRegistry Registry = Ledger.Application.LedgerEventTypes.Registry();

    /// <summary>An event under an old name (<c>order-placed.v1</c>) as the store reads it: upcast to its current name and shape.</summary>
    public static SpecEvent AsRead(SpecEvent e) =>
        Registry.Upcasters.TryGetValue(e.Type, out var upcast) && upcast(e.Data.DeepClone()) is var (type, data) ? new SpecEvent(type, data) : e;

    /// <summary>A one-key mapping: the name (of an event, command or message) and its data.</summary>
    public static (string Name, JsonNode Data) Single(JsonObject o, string path, string where) =>
        o.Count == 1
            ? (o.First().Key, o.First().Value?.DeepClone() ?? new JsonObject())
            : throw Bad(path, $"{where} holds exactly one name with its data, not {o.Count}.");

    public static string Text(JsonObject o, string key, string path) =>
        o[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw Bad(path, $"'{key}' is missing.");

    public static InvalidDataException Bad(string path, string problem) => new($"specs/{path}: {problem}");

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
            if (File.Exists(Path.Combine(dir.FullName, "Ledger.sln")))
                return Path.Combine(dir.FullName, "specs");
        throw new DirectoryNotFoundException("No Ledger.sln above the test binaries, so no specs/ folder.");
    }
}
