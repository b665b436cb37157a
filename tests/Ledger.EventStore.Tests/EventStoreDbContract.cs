using Ledger.EventStore.EventStoreDb;
using Xunit;

namespace Ledger.EventStore.Tests;

/// <summary>The contract on EventStoreDB: runs when <c>LEDGER_TEST_ESDB</c> names a server.</summary>
public sealed class EventStoreDbContract(EventStoreDbContract.Server server)
    : EventStoreContract(server.Store, server.SkipReason), IClassFixture<EventStoreDbContract.Server>
{
    protected override bool TellsAWriteFromARepeat => false;

    protected override long? MaxAppendSize => server.MaxAppendSize;

    public sealed class Server : IDisposable
    {
        private readonly EventStoreDbBackend? _backend;

        public Server()
        {
            if (Environment.GetEnvironmentVariable("LEDGER_TEST_ESDB") is { Length: > 0 } connectionString)
            {
                _backend = new EventStoreDbBackend(connectionString);
                Store = new HashChainingEventStore(_backend);
            }
        }

        public IEventStore? Store { get; }

        public long? MaxAppendSize => _backend?.Settings.MaxAppendSize;

        public string? SkipReason => Store is null
            ? "LEDGER_TEST_ESDB is not set: the EventStoreDB contract run needs a server (see ADR 0006)"
            : null;

        public void Dispose() => _backend?.Dispose();
    }
}
