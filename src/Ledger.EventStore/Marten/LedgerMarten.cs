using Marten.Services.Json.Transformations.SystemTextJson;
using JasperFx.Events;
using Marten;
using Weasel.Core;

namespace Ledger.EventStore.Marten;

/// <summary>
/// The one Marten configuration of the event store, shared by the API host and the tests, so both write
/// the rows <see cref="MartenBackend"/> reads (ADR/0005).
/// </summary>
public static class LedgerMarten
{
    public const string DefaultSchema = "ledger";

    /// <summary>
    /// String stream ids, every metadata column, System.Text.Json with <see cref="EventSerializer"/>'s settings,
    /// each registered type under its versioned name, a unique index on event ids (the dedup guard), and the
    /// replication checkpoints table (written with the replicated events, ADR/0010).
    /// </summary>
    public static StoreOptions ConfigureEventStore(StoreOptions options, EventSerializer serializer, string schema = DefaultSchema)
    {
        options.DatabaseSchemaName = schema;
        options.Events.DatabaseSchemaName = schema;
        options.Events.StreamIdentity = StreamIdentity.AsString;
        options.Events.MetadataConfig.EnableAll();
        // EnableAll leaves the user name column out.
        options.Events.MetadataConfig.UserNameEnabled = true;
        // A loser of a race blocks on the stream row, then fails before it takes a sequence value: fewer gaps.
        options.Events.UseExclusiveLockOnConcurrentAppends = true;

        // Same settings as EventSerializer; Marten only writes with it, we read the stored JSON text back.
        options.UseSystemTextJsonForSerialization(EventSerializer.CreateOptions(), EnumStorage.AsString, Casing.CamelCase);

        foreach (var (name, type) in serializer.Registry.Types)
            options.Events.MapEventType(type, name);
        options.Events.MapEventType(typeof(Replication.ForeignEventStandIn), Replication.ForeignEventStandIn.TypeName);
        // Projections read old versions as the current type, through the same upcasters as the port.
        foreach (var (oldName, upcast) in serializer.Registry.Upcasters)
        {
            var current = serializer.Registry.Types[upcast(new System.Text.Json.Nodes.JsonObject()).Type];
            options.Events.Upcast(current, oldName, JsonTransformations.Upcast<object>(json =>
                serializer.Deserialize(oldName, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(json.RootElement))));
        }

        // An index on (type, seq_id): a projection that reads few event types (the approval queue, customer matches,
        // contracts) finds them without scanning every row between them, live and in a rebuild (ADR/0014, "Rebuilds").
        options.Events.EnableEventTypeIndex = true;

        options.Events.IgnoreIndex(EventIdUniqueIndex.IndexName);
        options.Storage.Add(new EventIdUniqueIndex(options.Advanced.Migrator, schema));
        // Rows the ledger did not write are quarantined: marked skipped, never projected (ADR/0025).
        options.Events.EnableEventSkippingInProjectionsOrSubscriptions = true;
        options.Events.IgnoreIndex(UnattestedEventQuarantine.IndexName);
        options.Storage.Add(new UnattestedEventQuarantine(options.Advanced.Migrator, schema));
        // The daemon's commits do not wait for their flush: a lost one is projected again (ADR/0015).
        options.Storage.Add(new ProjectionCommitsWithoutFlush(options.Advanced.Migrator, schema));
        options.Storage.ExtendedSchemaObjects.Add(MartenReplicationTarget.CheckpointTable(schema));
        return options;
    }

    /// <summary>A store for the event store alone (tests, tools); the host uses <c>AddMarten</c> with <see cref="ConfigureEventStore"/>.</summary>
    public static DocumentStore CreateStore(string connectionString, EventSerializer serializer, string schema = DefaultSchema) =>
        DocumentStore.For(options =>
        {
            options.Connection(connectionString);
            ConfigureEventStore(options, serializer, schema);
        });
}
