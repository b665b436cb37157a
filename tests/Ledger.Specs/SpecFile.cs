using System.Text.Json.Nodes;

namespace Ledger.Specs;

/// <summary>A named item of a spec's list: an event by versioned name (or, in a reaction spec's then, a command or message) and its data.</summary>
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
    private static readonly string[] Keys = ["title", "stream", "at", "given", "when", "then", "refused"];

    /// <summary>Every decider spec, by path relative to <c>specs/</c>, in a stable order (the reactors' specs are <see cref="ReactionSpec"/>'s, the proration rule's <see cref="ProrationSpec"/>'s, the reconciliation rules' <see cref="RuleSpec"/>'s).</summary>
    public static IEnumerable<string> All() => SpecYaml.Files().Where(f => !ReactionSpec.IsReactionSpec(f) && !ProrationSpec.IsProrationSpec(f) && !RuleSpec.IsRuleSpec(f));

    public static SpecFile Load(string path)
    {
        var root = SpecYaml.Load(path, "a spec is a mapping of title, stream, at, given, when, then/refused.", Keys);
        var (command, data) = SpecYaml.Single(
            root["when"] as JsonObject ?? throw SpecYaml.Bad(path, "'when' names one command: `when: { command-name: { ... } }`."), path, "when");

        var thenEvents = SpecYaml.Then(root, path, "events");
        var refused = root["refused"] switch
        {
            null => null,
            JsonObject r => new SpecRefusal(
                r["code"]?.GetValue<string>() ?? throw SpecYaml.Bad(path, "'refused' needs a code."), r["kind"]?.GetValue<string>(), r["field"]?.GetValue<string>()),
            _ => throw SpecYaml.Bad(path, "'refused' is `{ code: ..., field: ... }`."),
        };
        if ((refused is null) == (thenEvents is null))
            throw SpecYaml.Bad(path, "a spec has either 'then' (events or nothing) or 'refused'.");

        return new SpecFile(
            path,
            SpecYaml.Text(root, "title", path),
            SpecYaml.Text(root, "stream", path),
            SpecYaml.Text(root, "at", path),
            SpecYaml.Given(root, path),
            command,
            data,
            thenEvents,
            refused);
    }
}
