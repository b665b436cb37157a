using System.Reflection;
using System.Text.Json.Nodes;
using Ledger.Application.Billing;
using Ledger.Application.Reactions;
using Ledger.Domain;
using NodaTime;

namespace Ledger.Specs;

/// <summary>
/// One reaction spec (ADR/0007), one per file under <c>specs/reactions/&lt;reactor-name&gt;/</c>:
/// <code>
/// title: Submitting a quote whose discount needs approval requests the approval of that revision
/// reactor: approval-requests         # the reactor's Name
/// given:                             # the history of the event's own stream before it: events or fixture names
///   - Salesforce quote Q-1001 priced at 15% off its analytics seats
/// when:
///   quote-submitted-for-approval.v1: { ... }   # the one event reacted to
/// then:                              # the reactions in order, or `then: nothing`
///   - request-approval: { ... }      # a command to decide, by kebab-case command name
///   - check-billing-handoff: { ... } # a message to deliver, by kebab-case message type name
/// </code>
/// There is no <c>at:</c>: a reactor is a pure function of the event and the state before it, with no clock.
/// </summary>
public sealed record ReactionSpec(
    string Path, string Title, string Reactor, IReadOnlyList<SpecEvent> Given, string Event, JsonNode EventData, IReadOnlyList<SpecEvent> Then)
{
    /// <summary>The folder under <c>specs/</c> that holds reaction specs, one subfolder per reactor.</summary>
    public const string Folder = "reactions";

    private static readonly string[] Keys = ["title", "reactor", "given", "when", "then"];

    public static bool IsReactionSpec(string path) => path.StartsWith(Folder + "/", StringComparison.Ordinal);

    /// <summary>The reactor whose folder holds the file: <c>reactions/approval-requests/…</c> → <c>approval-requests</c>.</summary>
    public string ReactorFolder => Path.Split('/') is [_, var folder, _, ..] ? folder : "";

    /// <summary>Every reaction spec, by path relative to <c>specs/</c>, in a stable order.</summary>
    public static IEnumerable<string> All() => SpecYaml.Files().Where(IsReactionSpec);

    public static ReactionSpec Load(string path)
    {
        var root = SpecYaml.Load(path, "a reaction spec is a mapping of title, reactor, given, when, then.", Keys);
        var reactor = SpecYaml.Text(root, "reactor", path);
        var (@event, data) = SpecYaml.Single(
            root["when"] as JsonObject ?? throw SpecYaml.Bad(path, "'when' names the one event reacted to: `when: { event-name.vN: { ... } }`."), path, "when");
        (@event, data) = SpecYaml.AsRead(new SpecEvent(@event, data)) is var read ? (read.Type, read.Data) : default;
        var then = SpecYaml.Then(root, path, "commands and messages")
                   ?? throw SpecYaml.Bad(path, "'then' is missing: the reactions in order, or `then: nothing`.");
        return new ReactionSpec(path, SpecYaml.Text(root, "title", path), reactor, SpecYaml.Given(root, path), @event, data, then);
    }
}

/// <summary>The reactors as specs see them: by name, with the commands and durable messages they may answer by name.</summary>
public static class SpecReactors
{
    /// <summary>
    /// What the reactors are built with in specs. Only <see cref="BillingSettings.Timeout"/> reaches a reactor
    /// (<see cref="OrderFulfilment"/>: how long billing has to answer a handoff, <c>answerWithin</c>): 600 s, the default of
    /// <c>Billing:TimeoutSeconds</c>, written <c>00:10:00</c> in specs. The rest is for the billing client, which specs never call.
    /// </summary>
    public static readonly BillingSettings Billing = new(
        BillingUrl: null, CallbackBaseUrl: new Uri("http://localhost/"), Timeout: Duration.FromSeconds(600), RetryDelays: [],
        RequestTimeout: TimeSpan.FromSeconds(10));

    public static readonly IReadOnlyList<IReactor> All = Reactors.All(Billing);

    public static readonly IReadOnlyDictionary<string, IReactor> ByName = All.ToDictionary(r => r.Name);

    /// <summary>
    /// The durable messages by kebab-case type name (<c>SendBillingHandoff</c> → <c>send-billing-handoff</c>): the message
    /// each public static <c>Handle</c> method of the application takes first (Wolverine's handler convention), so a
    /// reactor's message that no handler takes shows as such.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, Type> Messages = typeof(Reactors).Assembly.GetTypes()
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
        .Where(m => m.Name is "Handle" or "HandleAsync" && m.GetParameters().Length > 0)
        .Select(m => m.GetParameters()[0].ParameterType)
        .Distinct()
        .ToDictionary(t => CommandNames.Kebab(t.Name));

    public static readonly IReadOnlyDictionary<Type, string> MessageNameOf = Messages.ToDictionary(m => m.Value, m => m.Key);

    public static readonly IReadOnlyDictionary<Type, string> CommandNameOf = Streams.Commands.ToDictionary(c => c.Value.Type, c => c.Key);
}
