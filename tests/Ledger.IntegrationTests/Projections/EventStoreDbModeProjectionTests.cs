using Ledger.Application;
using Ledger.EventStore;
using Ledger.EventStore.EventStoreDb;
using Ledger.EventStore.Marten;
using Ledger.Projections;
using Ledger.Testing;
using Marten;
using Marten.Events;
using Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace Ledger.IntegrationTests.Projections;

/// <summary>
/// The same history written once to PostgreSQL (the embedded mode) and once to EventStoreDB, whose events the
/// replicator copies into a fresh Marten database (ADR/0010): the projections built from the copy must equal the
/// ones built in PostgreSQL mode, document for document. Runs when <c>LEDGER_TEST_ESDB</c> names a server.
/// </summary>
public sealed class EventStoreDbModeProjectionTests(ITestOutputHelper output)
{
    private const string Variable = "LEDGER_TEST_ESDB";

    [SkippableFact]
    public async Task Projections_built_from_events_replicated_out_of_EventStoreDB_equal_those_built_in_PostgreSQL_mode()
    {
        var connectionString = Environment.GetEnvironmentVariable(Variable);
        Skip.If(string.IsNullOrWhiteSpace(connectionString), $"{Variable} is not set: replicating from EventStoreDB needs a server (see ADR 0006)");
        var serializer = new EventSerializer(LedgerEventTypes.Registry());
        // The node outlives this test and is shared with others: this run's streams carry a prefix of their own.
        var prefix = $"t{Guid.NewGuid():N}"[..9] + "-";

        await using var postgresMode = await ProjectedDatabase.CreateAsync("pg-mode", serializer);
        await ReconciliationHistory.WriteAsync(new History(postgresMode.EventStore, serializer, prefix, prefix));
        var expected = await postgresMode.ProjectAsync();

        using var backend = new EventStoreDbBackend(connectionString!);
        var esdb = new HashChainingEventStore(backend);
        var marker = Assert.IsType<AppendResult.Success>(await esdb.AppendAsync($"{prefix}marker", ExpectedRevision.NoStream,
            [new EventToAppend(Guid.NewGuid(), "customer-registered.v1", """{"customerId":"marker","name":"marker","webDomain":null,"registeredBy":"test","registeredAt":"2026-03-02T09:00:00Z"}"""u8.ToArray(),
                new EventMetadata("marker", "marker", "test", "test", null, Q2C.T0))]));
        var history = new History(esdb, serializer, prefix, prefix);
        await ReconciliationHistory.WriteAsync(history);

        await using var esdbMode = await ProjectedDatabase.CreateAsync("esdb-mode", serializer);
        var target = new MartenReplicationTarget(esdbMode.Documents, esdbMode.DataSource, serializer);
        var copied = new List<RecordedEvent>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await foreach (var e in esdb.SubscribeToAllAsync(marker.Position, timeout.Token))
        {
            if (e.StreamId.StartsWith(prefix, StringComparison.Ordinal) && e.StreamId != $"{prefix}marker") copied.Add(e);
            if (e.Position.Equals(history.Last)) break;
        }
        foreach (var batch in copied.Chunk(500)) await target.ApplyAsync("esdb-mode-test", batch, timeout.Token);
        output.WriteLine($"{history.Count} events written to EventStoreDB, {copied.Count} replicated");
        Assert.Equal(history.Count, copied.Count);

        var actual = await esdbMode.ProjectAsync();
        output.WriteLine($"{expected.Count} documents in PostgreSQL mode, {actual.Count} in EventStoreDB mode");
        Assert.True(expected.Count > 20);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        Assert.All(expected, d => Assert.Equal(d.Value, actual[d.Key]));
    }

    /// <summary>A fresh database with the ledger's event store and projections, and a daemon to run them on demand.</summary>
    private sealed class ProjectedDatabase(string connectionString, DocumentStore documents, NpgsqlDataSource dataSource, EventSerializer serializer) : IAsyncDisposable
    {
        public DocumentStore Documents => documents;
        public NpgsqlDataSource DataSource => dataSource;
        public IEventStore EventStore { get; } = new HashChainingEventStore(new MartenBackend(documents, dataSource, serializer));

        public static async Task<ProjectedDatabase> CreateAsync(string purpose, EventSerializer serializer)
        {
            var connectionString = await TestPostgres.CreateDatabaseAsync(purpose);
            var documents = DocumentStore.For(o =>
            {
                o.Connection(connectionString);
                LedgerMarten.ConfigureEventStore(o, serializer);
                LedgerProjections.Configure(o);
            });
            await SchemaMigration.ApplyAsync(documents);
            return new ProjectedDatabase(connectionString, documents, NpgsqlDataSource.Create(connectionString), serializer);
        }

        /// <summary>Runs every projection over all the events there are, then reads the documents.</summary>
        public async Task<Dictionary<string, string>> ProjectAsync()
        {
            using (var daemon = await documents.BuildProjectionDaemonAsync())
            {
                await daemon.StartAllAsync();
                await documents.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
                await daemon.StopAllAsync();
            }
            return await ViewDocuments.ReadAsync(connectionString);
        }

        public async ValueTask DisposeAsync()
        {
            documents.Dispose();
            await dataSource.DisposeAsync();
        }
    }
}
