using System.Reflection;
using System.Text.RegularExpressions;
using Ledger.Domain;
using Ledger.Domain.Common;
using NodaTime;

namespace Ledger.Specs;

/// <summary>What a decider answered: the events it decided, or its refusal.</summary>
public sealed record Outcome(IReadOnlyList<object> Events, Refusal? Refusal);

/// <summary>
/// One stream as specs see it: its name (<c>quote</c>, <c>crm-account</c>), its commands by kebab-case name, its
/// event types, and a way to play a command against given events.
/// </summary>
public sealed record SpecStream(
    string Name, IReadOnlyDictionary<string, Type> Commands, IReadOnlySet<Type> EventTypes,
    Func<IReadOnlyList<object>, object, Instant, Outcome> Decide);

/// <summary>
/// The streams, found by reflection over <see cref="Deciders"/>: each field is one stream's decider; its commands are
/// the domain's non-abstract types assignable to the decider's command type, named by kebab-casing the record name
/// (<c>RecordBillingAcknowledgement</c> → <c>record-billing-acknowledgement</c>). Adding a command to the domain
/// makes it usable in specs without touching this project.
/// </summary>
public static class Streams
{
    public static readonly IReadOnlyList<SpecStream> All = Discover();

    public static readonly IReadOnlyDictionary<string, SpecStream> ByName = All.ToDictionary(s => s.Name);

    public static readonly IReadOnlyDictionary<string, (Type Type, SpecStream Stream)> Commands =
        All.SelectMany(s => s.Commands.Select(c => KeyValuePair.Create(c.Key, (c.Value, s)))).ToDictionary();

    public static string Kebab(string pascal) => CommandNames.Kebab(pascal);

    private static List<SpecStream> Discover()
    {
        var domainTypes = typeof(Deciders).Assembly.GetTypes();
        return typeof(Deciders).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType.IsGenericType && f.FieldType.GetGenericTypeDefinition() == typeof(Decider<,,>))
            .Select(f =>
            {
                var args = f.FieldType.GetGenericArguments();
                var (command, @event) = (args[0], args[1]);
                var commands = domainTypes.Where(t => t is { IsAbstract: false, IsClass: true } && command.IsAssignableFrom(t))
                    .ToDictionary(t => Kebab(t.Name));
                var events = EventNames.All.Select(e => e.Type).Where(@event.IsAssignableFrom).ToHashSet();
                var run = typeof(Streams).GetMethod(nameof(Run), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(args);
                var decider = f.GetValue(null)!;
                return new SpecStream(Kebab(f.Name), commands, events,
                    (given, cmd, at) => (Outcome)run.Invoke(null, [decider, given, cmd, at])!);
            })
            .ToList();
    }

    private static Outcome Run<TCommand, TEvent, TState>(Decider<TCommand, TEvent, TState> decider, IReadOnlyList<object> given, object command, Instant at) =>
        decider.Handle(given.Cast<TEvent>(), (TCommand)command, at) switch
        {
            Decision<TEvent>.Accepted a => new Outcome(a.Events.Cast<object>().ToList(), null),
            Decision<TEvent>.Refused r => new Outcome([], r.Refusal),
            _ => throw new InvalidOperationException("A decision is accepted or refused."),
        };
}
