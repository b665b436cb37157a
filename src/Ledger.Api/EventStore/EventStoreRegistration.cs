using Ledger.EventStore;
using Ledger.EventStore.EventStoreDb;
using Ledger.EventStore.Marten;
using Marten;
using Npgsql;

namespace Ledger.Api.EventStore;

public static class EventStoreRegistration
{
    /// <summary>
    /// The event store port over the backend that <c>LEDGER_EVENTSTORE</c> names: Marten on the ledger's
    /// PostgreSQL (default), or an EventStoreDB server (<c>esdb://…</c>). Either way the port adds the hash chain.
    /// </summary>
    public static IServiceCollection AddLedgerEventStore(this IServiceCollection services, LedgerSettings settings, EventTypeRegistry registry)
    {
        services.AddSingleton(registry);
        services.AddSingleton<EventSerializer>();
        if (settings.UsesEventStoreDb)
            services.AddSingleton<IEventStoreBackend>(_ => new EventStoreDbBackend(settings.EventStore));
        else
            services.AddSingleton<IEventStoreBackend>(sp => new MartenBackend(
                sp.GetRequiredService<IDocumentStore>(), sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<EventSerializer>()));
        services.AddSingleton<IEventStore>(sp => new HashChainingEventStore(sp.GetRequiredService<IEventStoreBackend>()));
        return services;
    }
}
