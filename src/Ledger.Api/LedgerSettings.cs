namespace Ledger.Api;

/// <summary>Where the ledger keeps its data; read once at start-up from configuration and the environment.</summary>
public sealed record LedgerSettings(string PostgresConnectionString, string EventStore)
{
    public const string PostgresVariable = "LEDGER_POSTGRES";
    public const string EventStoreVariable = "LEDGER_EVENTSTORE";

    /// <summary><c>LEDGER_POSTGRES</c> wins over <c>ConnectionStrings:Ledger</c>; the event store is <c>postgres</c> unless <c>LEDGER_EVENTSTORE</c> names an <c>esdb://</c> server.</summary>
    public static LedgerSettings From(IConfiguration configuration)
    {
        var postgres = configuration[PostgresVariable] is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : configuration.GetConnectionString("Ledger");
        if (string.IsNullOrWhiteSpace(postgres))
            throw new InvalidOperationException(
                $"No PostgreSQL connection string: set {PostgresVariable} or ConnectionStrings:Ledger, or start the ledger with './ledger up'.");
        var eventStore = configuration[EventStoreVariable] is { Length: > 0 } store ? store : "postgres";
        if (eventStore != "postgres" && !eventStore.StartsWith("esdb://", StringComparison.Ordinal) && !eventStore.StartsWith("esdb+discover://", StringComparison.Ordinal))
            throw new InvalidOperationException($"{EventStoreVariable} is '{eventStore}': use 'postgres' or an 'esdb://host:2113?tls=false' connection string.");
        return new LedgerSettings(postgres, eventStore);
    }

    public bool UsesEventStoreDb => EventStore != "postgres";
}
