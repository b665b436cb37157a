using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ledger.Domain;
using Ledger.Domain.Approvals;
using Ledger.Domain.Billing;
using Ledger.Domain.Catalog;
using Ledger.Domain.Common;
using Ledger.Domain.Customers;
using Ledger.Domain.Orders;
using Ledger.Domain.Quotes;
using NodaTime.Text;

namespace Ledger.Specs;

/// <summary>What a decider answered: the events it decided, or its refusal.</summary>
public sealed record Outcome(IReadOnlyList<object> Events, Refusal? Refusal);

/// <summary>Plays a spec: folds the given events, decides the command at the given instant, compares with then.</summary>
public static class SpecRunner
{
    private static readonly Dictionary<string, Type> EventTypes = EventNames.All.ToDictionary(e => e.Name, e => e.Type);
    private static readonly Dictionary<Type, string> EventNamesByType = EventNames.All.ToDictionary(e => e.Type, e => e.Name);
    private static readonly Dictionary<string, Type> CommandTypes = CommandNames.All.ToDictionary(c => c.Name, c => c.Type);

    [StackTraceHidden]
    public static void Verify(SpecFile spec)
    {
        var given = spec.Given.Select((e, i) => Read(EventType(e.Type, spec.Path), e.Data, $"given[{i}] {e.Type}")).ToList();
        var command = Read(CommandTypes.GetValueOrDefault(spec.Command)
                           ?? throw new InvalidDataException($"{spec.Path}: unknown command '{spec.Command}'; known: {string.Join(", ", CommandTypes.Keys)}."),
            spec.CommandData, $"when {spec.Command}");
        var at = InstantPattern.ExtendedIso.Parse(spec.At).GetValueOrThrow();

        var outcome = Decide(given, command, at);
        var actual = Describe(outcome);

        if (spec.ThenRefused is { } refused)
        {
            var expected = new JsonObject
            {
                ["refused"] = new JsonObject
                {
                    ["code"] = refused.Code,
                    ["kind"] = refused.Kind ?? outcome.Refusal?.Kind.ToString(),
                    ["field"] = refused.Field ?? outcome.Refusal?.Field,
                    ["message"] = outcome.Refusal?.Message,
                },
            };
            Compare(spec, expected, actual);
        }
        else
        {
            var expected = new JsonObject
            {
                ["events"] = new JsonArray(spec.ThenEvents!.Select((e, i) =>
                    (JsonNode)Envelope(e.Type, Read(EventType(e.Type, spec.Path), e.Data, $"then[{i}] {e.Type}"))).ToArray()),
            };
            Compare(spec, expected, actual);
        }
    }

    /// <summary>Sends the command to its stream's decider; given events of another stream are a mistake in the spec.</summary>
    public static Outcome Decide(IReadOnlyList<object> given, object command, NodaTime.Instant at) => command switch
    {
        QuoteCommand c => Run(Deciders.Quote, given, c, at),
        ApprovalCommand c => Run(Deciders.Approval, given, c, at),
        OrderCommand c => Run(Deciders.Order, given, c, at),
        BillingCommand c => Run(Deciders.Billing, given, c, at),
        CustomerCommand c => Run(Deciders.Customer, given, c, at),
        CrmAccountCommand c => Run(Deciders.CrmAccount, given, c, at),
        PublishCatalogVersion c => Run(Deciders.Catalog, given, c, at),
        PublishPricingPolicy c => Run(Deciders.PricingPolicy, given, c, at),
        _ => throw new InvalidDataException($"No decider takes {command.GetType().Name}."),
    };

    private static Outcome Run<TCommand, TEvent, TState>(Decider<TCommand, TEvent, TState> decider, IReadOnlyList<object> given, TCommand command, NodaTime.Instant at)
        where TEvent : class
    {
        var history = given.Select(e => e as TEvent
                                        ?? throw new InvalidDataException($"{e.GetType().Name} is not an event of the stream {typeof(TCommand).Name} goes to.")).ToList();
        return decider.Handle(history, command, at) switch
        {
            Decision<TEvent>.Accepted a => new Outcome(a.Events.Cast<object>().ToList(), null),
            Decision<TEvent>.Refused r => new Outcome([], r.Refusal),
            _ => throw new InvalidOperationException("A decision is accepted or refused."),
        };
    }

    public static JsonObject Envelope(string type, object data) => new() { ["type"] = type, ["data"] = SpecJson.ToNode(data) };

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

    private static Type EventType(string name, string path) =>
        EventTypes.GetValueOrDefault(name) ?? throw new InvalidDataException($"{path}: unknown event type '{name}'.");

    private static object Read(Type type, JsonNode data, string where)
    {
        try
        {
            return data.Deserialize(type, SpecJson.Options) ?? throw new InvalidDataException($"{where}: no data.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{where}: the data does not make a {type.Name}: {e.Message}", e);
        }
    }

    [StackTraceHidden]
    private static void Compare(SpecFile spec, JsonNode expected, JsonNode actual)
    {
        var e = SpecJson.Canonical(expected);
        var a = SpecJson.Canonical(actual);
        if (e != a) throw new SpecFailedException(spec, SideBySide(e, a));
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
}

/// <summary>A spec whose outcome differs from what it says; the message is the side-by-side comparison.</summary>
public sealed class SpecFailedException(SpecFile spec, string comparison)
    : Exception($"{spec.Path}: {spec.Title}\nwhen {spec.Command} at {spec.At}\n\n{comparison}");
