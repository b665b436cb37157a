using Ledger.Domain;
using Ledger.EventStore;

namespace Ledger.Application;

/// <summary>Every event type the ledger stores, under its versioned name: the domain's list, in the store's registry.</summary>
public static class LedgerEventTypes
{
    public static EventTypeRegistry Registry()
    {
        var registry = new EventTypeRegistry();
        foreach (var (type, name) in EventNames.All) registry.Register(type, name);
        return registry;
    }
}
