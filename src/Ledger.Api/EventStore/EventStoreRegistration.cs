using Ledger.EventStore;
using Ledger.EventStore.EventStoreDb;
using Ledger.EventStore.Marten;
using Ledger.EventStore.Replication;
using Ledger.EventStore.Writing;
using Marten;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
        services.AddSingleton(sp => CreateBackend(settings,
            sp.GetRequiredService<IDocumentStore>(), sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<EventSerializer>()));
        if (settings.UsesEventStoreDb)
        {
            // The read side (Marten projections, Wolverine) reads PostgreSQL: copy $all there, exactly once (ADR/0010).
            services.AddSingleton<IReplicationTarget>(sp =>
            {
                var log = sp.GetRequiredService<ILogger<MartenReplicationTarget>>();
                return new MartenReplicationTarget(sp.GetRequiredService<IDocumentStore>(), sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<EventSerializer>())
                {
                    // A finding, not a failure (ADR/0018): the auditor's verify reads the original in EventStoreDB.
                    ForeignEventCopied = (e, why) => log.LogWarning(
                        "{StreamId}@{Revision} ({Type}, position {Position}) is not a ledger event and is copied as a stand-in: {Reason}",
                        e.StreamId, e.Revision, e.Type, e.Position.Value, why),
                };
            });
            services.AddSingleton(sp => new EventReplicator(sp.GetRequiredService<IEventStore>(), sp.GetRequiredService<IReplicationTarget>(),
                sp.GetRequiredService<ILogger<EventReplicator>>()));
            services.AddHostedService(sp => sp.GetRequiredService<EventReplicator>());
        }
        services.AddSingleton(sp => new HashChainingEventStore(sp.GetRequiredService<IEventStoreBackend>()));
        services.AddSingleton<IEventStore>(sp => sp.GetRequiredService<HashChainingEventStore>());
        // Commands: one PostgreSQL transaction each on Marten; through the port, answer stored after, on EventStoreDB (ADR/0016).
        services.TryAddSingleton(CreateWriteSessions);
        return services;
    }

    /// <summary>The write sessions of the backend the host's settings name (a test may wrap them to watch commands).</summary>
    public static IWriteSessions CreateWriteSessions(IServiceProvider sp) => sp.GetRequiredService<LedgerSettings>().UsesEventStoreDb
        ? new PortWriteSessions(sp.GetRequiredService<HashChainingEventStore>(), sp.GetRequiredService<NpgsqlDataSource>())
        : new MartenWriteSessions(sp.GetRequiredService<NpgsqlDataSource>(),
            new MartenEventWriterFactory(sp.GetRequiredService<IDocumentStore>(), sp.GetRequiredService<EventSerializer>()));

    /// <summary>The backend <c>LEDGER_EVENTSTORE</c> names: the one choice, shared by the host and the <c>ledger</c> command.</summary>
    public static IEventStoreBackend CreateBackend(LedgerSettings settings, IDocumentStore documents, NpgsqlDataSource dataSource, EventSerializer serializer) =>
        settings.UsesEventStoreDb
            ? new EventStoreDbBackend(settings.EventStore)
            : new MartenBackend(documents, dataSource, serializer);
}
