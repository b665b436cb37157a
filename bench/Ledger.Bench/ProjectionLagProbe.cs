using Ledger.Projections;
using Marten;
using Npgsql;

namespace Ledger.Bench;

/// <summary>
/// Each event's projection lag: from its append (<c>mt_events.timestamp</c>) to the first moment every projection's
/// committed progress covers it. Both instants come from the database's clock; the daemon commits a projection's
/// documents and its progress in one transaction, so covered progress means the views show the event. Progress is
/// polled every 20 ms, which bounds the resolution.
/// </summary>
public sealed class ProjectionLagProbe : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _schema;
    private readonly long _from;
    /// <summary>Each poll: when, and every projection's position (a projection with no progress row yet is missing).</summary>
    private readonly List<(double At, IReadOnlyDictionary<string, long> Positions)> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _polling = Task.CompletedTask;

    private ProjectionLagProbe(NpgsqlDataSource dataSource, string schema, long from)
    {
        _dataSource = dataSource;
        _schema = schema;
        _from = from;
    }

    /// <summary>Starts polling; events appended from now on are the ones measured.</summary>
    /// <param name="poll">False: no polling (no daemon to wait for); the probe only reads the database's counters.</param>
    public static async Task<ProjectionLagProbe> StartAsync(IDocumentStore store, bool poll = true)
    {
        string connectionString;
        await using (var connection = store.Storage.Database.CreateConnection()) connectionString = connection.ConnectionString;
        // No DISCARD ALL before each poll: it would be a transaction of its own that the subtraction below misses.
        var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true }.ConnectionString);
        var schema = store.Options.Events.DatabaseSchemaName;
        var probe = new ProjectionLagProbe(dataSource, schema, await HighestEventAsync(dataSource, schema));
        if (poll) probe._polling = probe.PollAsync();
        return probe;
    }

    /// <summary>Stops without waiting for the projections: no lag is measured.</summary>
    public async Task<List<double>> StopPollingAsync()
    {
        await _stop.CancelAsync();
        await _polling;
        return [];
    }

    /// <summary>Waits until the projections cover the last event appended so far, then returns every event's lag in ms.</summary>
    public async Task<List<double>> StopAsync(TimeSpan catchUp)
    {
        var to = await HighestEventAsync(_dataSource, _schema);
        var deadline = DateTime.UtcNow + catchUp;
        while (LatestPosition() < to && DateTime.UtcNow < deadline) await Task.Delay(Interval);
        await _stop.CancelAsync();
        await _polling;
        if (LatestPosition() < to) throw new InvalidOperationException($"The projections did not reach event {to} within {catchUp}.");

        var appended = new List<(long Sequence, double At)>();
        await using var command = _dataSource.CreateCommand(
            $"select seq_id, extract(epoch from timestamp)::float8 from {_schema}.mt_events where seq_id > @from and seq_id <= @to order by seq_id");
        command.Parameters.AddWithValue("from", _from);
        command.Parameters.AddWithValue("to", to);
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) appended.Add((reader.GetInt64(0), reader.GetDouble(1)));
        // Each projection's own lag beside the slowest's: which one holds the views back.
        Console.WriteLine("  projection lag p50 / p99 ms by projection: " + string.Join(", ", LedgerProjections.Names.Select(name =>
        {
            var own = Lags(appended, sample => sample.GetValueOrDefault(name));
            return own.Count == 0 ? $"{name} -" : $"{name} {own[own.Count / 2]:F0} / {own[(int)(own.Count * 0.99)]:F0}";
        })));
        return Lags(appended, Slowest);
    }

    /// <summary>The slowest projection decides when "the views" show an event; a projection with no progress row has none.</summary>
    private static long Slowest(IReadOnlyDictionary<string, long> positions) =>
        positions.Count == LedgerProjections.Names.Count ? positions.Values.Min() : 0;

    /// <summary>Each appended event's lag in ms: from its append to the first sample whose <paramref name="position"/> covers it.</summary>
    private List<double> Lags(List<(long Sequence, double At)> appended, Func<IReadOnlyDictionary<string, long>, long> position)
    {
        var lags = new List<double>();
        var sample = 0;
        foreach (var (sequence, appendedAt) in appended)
        {
            while (sample < _samples.Count && position(_samples[sample].Positions) < sequence) sample++; // positions only grow
            if (sample == _samples.Count) break;
            lags.Add((_samples[sample].At - appendedAt) * 1000);
        }
        lags.Sort();
        return lags;
    }

    /// <summary>
    /// Each reaction's lag in ms, for the events appended since the probe started: from the commit of the event that caused it
    /// to the commit of the reaction's own events (<c>pg_xact_commit_timestamp</c> of each row's inserting transaction;
    /// the cluster tracks commit timestamps). A reaction's events name their cause's event id as causation id (ADR/0017).
    /// </summary>
    public async Task<List<double>> ReactionLagsAsync()
    {
        await using var command = _dataSource.CreateCommand(
            $"select extract(epoch from pg_xact_commit_timestamp(effect.xmin) - pg_xact_commit_timestamp(cause.xmin))::float8 * 1000 " +
            $"from {_schema}.mt_events effect join {_schema}.mt_events cause on effect.causation_id = cause.id::text " +
            "where effect.seq_id > @from and cause.seq_id > @from");
        command.Parameters.AddWithValue("from", _from);
        var lags = new List<double>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) lags.Add(reader.GetDouble(0));
        lags.Sort();
        return lags;
    }

    /// <summary>
    /// Committed transactions in the database (read-only ones included: every autocommit statement is one), transaction
    /// ids handed out in the cluster (one per transaction that wrote, whether it committed or rolled back) and WAL flushes
    /// in the cluster so far, less the probe's own polls. PostgreSQL publishes the first and last counters about once a
    /// second, so a window of many seconds is needed to read them.
    /// </summary>
    public async Task<(long Transactions, long WriteTransactions, long WalSyncs)> DatabaseWorkAsync()
    {
        await using var command = _dataSource.CreateCommand(
            "select pg_stat_force_next_flush(); " +
            "select (select xact_commit from pg_stat_database where datname = current_database()), " +
            "pg_snapshot_xmax(pg_current_snapshot())::text::bigint, (select wal_sync from pg_stat_wal)");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.NextResultAsync();
        await reader.ReadAsync();
        int polls;
        lock (_samples) polls = _samples.Count;
        return (reader.GetInt64(0) - polls, reader.GetInt64(1), reader.GetInt64(2));
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private long LatestPosition()
    {
        lock (_samples) return _samples.Count == 0 ? 0 : Slowest(_samples[^1].Positions);
    }

    private async Task PollAsync()
    {
        // Every projection's position, read at the database's clock (the clock mt_events.timestamp is written by).
        await using var command = _dataSource.CreateCommand(
            $"select extract(epoch from clock_timestamp())::float8, split_part(name, ':', 1), last_seq_id " +
            $"from {_schema}.mt_event_progression where split_part(name, ':', 1) = any(@names)");
        command.Parameters.AddWithValue("names", LedgerProjections.Names.ToArray());
        while (!_stop.IsCancellationRequested)
        {
            await using (var reader = await command.ExecuteReaderAsync())
            {
                double at = 0;
                var positions = new Dictionary<string, long>();
                while (await reader.ReadAsync())
                {
                    at = reader.GetDouble(0);
                    positions[reader.GetString(1)] = reader.GetInt64(2);
                }
                lock (_samples) _samples.Add((at, positions));
            }
            try { await Task.Delay(Interval, _stop.Token); }
            catch (OperationCanceledException) { }
        }
    }

    private static async Task<long> HighestEventAsync(NpgsqlDataSource dataSource, string schema)
    {
        await using var command = dataSource.CreateCommand($"select coalesce(max(seq_id), 0) from {schema}.mt_events");
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
