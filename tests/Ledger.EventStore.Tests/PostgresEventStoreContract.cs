using Ledger.EventStore.Tests.Postgres;
using Xunit;

namespace Ledger.EventStore.Tests;

/// <summary>The contract on PostgreSQL through Marten: always runs, on a database of its own.</summary>
public sealed class PostgresEventStoreContract(PostgresEventStore postgres)
    : EventStoreContract(postgres.Store, skipReason: null), IClassFixture<PostgresEventStore>;
