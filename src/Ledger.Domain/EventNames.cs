using System.Reflection;

namespace Ledger.Domain;

/// <summary>
/// The stable, versioned name an event is stored under, written on the event's own record. A name is a promise about
/// stored data: a shipped shape is never edited; a changed shape gets a new name (<c>.v2</c>) and the old one an upcaster.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class EventNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>Every event type under its name: the one registry, read from the records themselves, so adding an event is one file.</summary>
public static class EventNames
{
    public static readonly IReadOnlyList<(Type Type, string Name)> All =
        typeof(EventNames).Assembly.GetTypes()
            .Select(t => (Type: t, Attribute: t.GetCustomAttribute<EventNameAttribute>()))
            .Where(t => t.Attribute is not null)
            .Select(t => (t.Type, t.Attribute!.Name))
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToList();
}
