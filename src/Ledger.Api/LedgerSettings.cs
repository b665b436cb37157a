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
        return new LedgerSettings(WithDeadClientCheck(postgres), eventStore);
    }

    /// <summary>
    /// Asks PostgreSQL to check every 2 s whether the client of a running query is still there. Marten's HotCold
    /// leader holds its projection locks on a connection that sits in <c>pg_sleep(60)</c>; without the check a node
    /// killed outright keeps its locks, and its projections stall, until that sleep ends (ADR/0014).
    /// </summary>
    public static string WithDeadClientCheck(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (builder.Options?.Contains("client_connection_check_interval", StringComparison.Ordinal) != true)
            builder.Options = $"{builder.Options} -c client_connection_check_interval=2000".Trim();
        return builder.ConnectionString;
    }

    public bool UsesEventStoreDb => EventStore != "postgres";
}
