using Ledger.EventStore.Marten;
using Marten;
using Npgsql;

namespace Ledger.Application.Timelines;

/// <summary>
/// Finds a quote's streams that no name derived from the quote gives (ADR/0013): the billing records billing reported for
/// its order (their ids are billing's), and finance's clearing of discrepancies about it (one stream per occurrence, and
/// only occurrences finance acted on have one). Both are found by what their own events say, in the PostgreSQL event table
/// (in EventStoreDB mode its replica, ADR/0010), through an index per field; the streams found are then read and verified
/// through the port like every other.
/// </summary>
public sealed class RelatedStreams(NpgsqlDataSource dataSource, string schema = LedgerMarten.DefaultSchema)
{
    public static readonly EventFieldIndex BillingRecordOrder = new("ledger_mt_events_billing_record_order", "billing-record-reported.", "orderId");
    public static readonly EventFieldIndex DiscrepancySubject = new("ledger_mt_events_discrepancy_subject", "discrepancy-", "subject");

    public static void AddIndexes(StoreOptions options)
    {
        EventFieldIndex[] indexes = [BillingRecordOrder, DiscrepancySubject];
        foreach (var index in indexes) options.Events.IgnoreIndex(index.IndexName);
        options.Storage.Add(new EventFieldIndexes(options.Advanced.Migrator, options.Events.DatabaseSchemaName, indexes));
    }

    /// <summary>Every stream with a billing record reported for one of <paramref name="orderIds"/> (an order, or a contract change's handoff).</summary>
    public Task<IReadOnlyList<string>> BillingRecordsOfAsync(IEnumerable<string> orderIds, CancellationToken ct) =>
        StreamsAsync(BillingRecordOrder, orderIds, ct);

    /// <summary>Every discrepancy-clearing stream about one of <paramref name="subjects"/> (a quote id, or a contract id).</summary>
    public Task<IReadOnlyList<string>> DiscrepancyClearingsAboutAsync(IEnumerable<string> subjects, CancellationToken ct) =>
        StreamsAsync(DiscrepancySubject, subjects, ct);

    private async Task<IReadOnlyList<string>> StreamsAsync(EventFieldIndex index, IEnumerable<string> values, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            $"select distinct stream_id from {schema}.mt_events where {index.Predicate} and {index.Expression} = any(@values) order by stream_id");
        command.Parameters.AddWithValue("values", values.Distinct().ToArray());
        var streams = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) streams.Add(reader.GetString(0));
        return streams;
    }
}
