using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ledger.Specs;

/// <summary>
/// One reconciliation rule spec (ADR/0014), one per file under <c>specs/rules/&lt;rule-code&gt;/</c>:
/// <code>
/// title: An accepted quote with no order two days later is a discrepancy for sales ops
/// rule: QTC-01                 # the rule's code
/// given:                       # the quote's history across its streams, in log order: events or fixture names
///   - Salesforce quote Q-1001 accepted at 5% off, within policy
/// at: 2025-11-12T18:00:00Z     # when finance reads the list: SLAs are judged against it
/// then:                        # what the list shows for this rule, or `then: nothing`
///   status: Open               # Open | Acknowledged | Closed | Resolved; only the keys given are compared
///   expected: 14400 USD
/// </code>
/// Each given event is recorded at its own time: its <c>reportedAt</c> when it has one (a report's <c>observedAt</c> is the
/// CRM's clock), else its first <c>…At</c> field.
/// </summary>
public sealed record RuleSpec(string Path, string Title, string Rule, IReadOnlyList<SpecEvent> Given, string At, JsonObject? Then)
{
    public const string Folder = "rules";

    private static readonly string[] Keys = ["title", "rule", "given", "at", "then"];

    public static bool IsRuleSpec(string path) => path.StartsWith(Folder + "/", StringComparison.Ordinal);

    public static IEnumerable<string> All() => SpecYaml.Files().Where(IsRuleSpec);

    /// <summary>The rule whose folder holds the file: <c>rules/qtc-01/…</c> → <c>QTC-01</c>.</summary>
    public string RuleFolder => Path.Split('/') is [_, var folder, _, ..] ? folder.ToUpperInvariant() : "";

    public static RuleSpec Load(string path)
    {
        var root = SpecYaml.Load(path, "a rule spec is a mapping of title, rule, given, at, then.", Keys);
        var then = root["then"] switch
        {
            JsonValue v when v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == "nothing" => null,
            JsonObject o => (JsonObject)o.DeepClone(),
            _ => throw SpecYaml.Bad(path, "'then' is what the list shows for the rule (`status: Open`, …) or `nothing`."),
        };
        return new RuleSpec(path, SpecYaml.Text(root, "title", path), SpecYaml.Text(root, "rule", path), SpecYaml.Given(root, path),
            SpecYaml.Text(root, "at", path), then);
    }
}
