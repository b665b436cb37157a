using System.Diagnostics;
using System.Text.Json.Nodes;
using Ledger.Application.Reactions;

namespace Ledger.Specs;

/// <summary>
/// Plays a reaction spec: reads the given history of the event's stream and the event, folds the history with the
/// reactor's own fold, asks the reactor, and compares its reactions with <c>then</c> as <see cref="SpecRunner"/> compares
/// events (each expectation read into its type and written back; <c>"*"</c> matches anything).
/// </summary>
public static class ReactionRunner
{
    /// <summary>How a reaction is shown: <c>{ "decide": "request-approval", "data": … }</c> or <c>{ "deliver": "send-billing-handoff", "data": … }</c>.</summary>
    public const string Decide = "decide", Deliver = "deliver";

    [StackTraceHidden]
    public static void Verify(ReactionSpec spec)
    {
        var reactor = SpecReactors.ByName.GetValueOrDefault(spec.Reactor)
                      ?? throw Bad(spec, $"unknown reactor '{spec.Reactor}'; reactors: {string.Join(", ", SpecReactors.ByName.Keys)}.");
        if (spec.ReactorFolder != reactor.Name)
            throw Bad(spec, $"a spec of the {reactor.Name} reactor lives under specs/{ReactionSpec.Folder}/{reactor.Name}/.");
        var eventType = SpecRunner.EventTypes.GetValueOrDefault(spec.Event)
                        ?? throw Bad(spec, $"'when' names no event type: '{spec.Event}' (see EventNames); a reactor reacts to one event.");
        var stream = Streams.All.Single(s => s.EventTypes.Contains(eventType));
        var given = spec.Given.Select((e, i) =>
            SpecRunner.Read(GivenOf(stream, spec.Event, e.Type, spec, i), e.Data, spec.Path, $"given[{i}] {e.Type}")).ToList();
        var @event = SpecRunner.Read(eventType, spec.EventData, spec.Path, $"when {spec.Event}");

        // As in the processor, a reactor is asked only about the events it reacts to; any other answers nothing.
        var reacts = reactor.ReactsTo(@event);
        if (!reacts && spec.Then.Count > 0)
            throw Bad(spec, $"the {reactor.Name} reactor does not react to {spec.Event}, so it answers nothing: such a spec says `then: nothing`.");

        var expected = new JsonObject { ["reactions"] = new JsonArray(spec.Then.Select((r, i) => (JsonNode)Expectation(r, i, spec)).ToArray()) };
        IReadOnlyList<Reaction> reactions = reacts ? reactor.React(@event, Fold(reactor, @event, given, stream, spec)) : [];
        var actual = new JsonObject { ["reactions"] = new JsonArray(reactions.Select(r => (JsonNode)Describe(r)).ToArray()) };
        SpecRunner.Compare(spec.Path, spec.Title, $"{reactor.Name} reacting to {spec.Event}", expected, actual);
    }

    private static object Fold(IReactor reactor, object @event, IReadOnlyList<object> given, SpecStream stream, ReactionSpec spec)
    {
        try
        {
            return reactor.Fold(@event, given);
        }
        catch (Exception e)
        {
            throw Bad(spec, $"the given history does not fold into a {stream.Name} stream's state ({e.GetType().Name}: {e.Message}).");
        }
    }

    private static JsonObject Expectation(SpecEvent item, int i, ReactionSpec spec)
    {
        var where = $"then[{i}] {item.Type}";
        if (Streams.Commands.TryGetValue(item.Type, out var command))
            return SpecRunner.Expectation(Decide, item.Type, command.Type, item.Data, spec.Path, where);
        if (SpecReactors.Messages.TryGetValue(item.Type, out var message))
            return SpecRunner.Expectation(Deliver, item.Type, message, item.Data, spec.Path, where);
        throw Bad(spec, $"{where}: '{item.Type}' is neither a command (see CommandNames) nor a message"
                        + (SpecRunner.EventTypes.ContainsKey(item.Type) ? " (it is an event: a reactor answers commands and messages, the streams decide the events)" : "")
                        + $"; messages: {string.Join(", ", SpecReactors.Messages.Keys)}.");
    }

    private static JsonObject Describe(Reaction reaction) => reaction switch
    {
        Reaction.Decide d => SpecRunner.Envelope(
            SpecReactors.CommandNameOf.GetValueOrDefault(d.Command.GetType()) ?? $"(no stream decides {d.Command.GetType().Name})", d.Command, Decide),
        Reaction.Deliver m => SpecRunner.Envelope(
            SpecReactors.MessageNameOf.GetValueOrDefault(m.Message.GetType()) ?? $"(no handler takes {m.Message.GetType().Name})", m.Message, Deliver),
        _ => throw new InvalidOperationException($"A reaction decides or delivers, not {reaction.GetType().Name}."),
    };

    private static Type GivenOf(SpecStream stream, string reactedTo, string name, ReactionSpec spec, int i)
    {
        var type = SpecRunner.EventTypes.GetValueOrDefault(name) ?? throw Bad(spec, $"given[{i}]: unknown event type '{name}' (see EventNames).");
        return stream.EventTypes.Contains(type)
            ? type
            : throw Bad(spec, $"given[{i}]: {name} is not an event of the {stream.Name} stream; given is the history of {reactedTo}'s own stream.");
    }

    private static InvalidDataException Bad(ReactionSpec spec, string problem) => SpecYaml.Bad(spec.Path, problem);
}
