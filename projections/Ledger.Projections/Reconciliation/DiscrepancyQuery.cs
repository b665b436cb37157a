using Ledger.Domain.Reconciliation;
using Ledger.Projections.Customers;
using Ledger.Projections.Quotes;
using Marten;
using Npgsql;
using NodaTime;
using NodaTime.Text;

namespace Ledger.Projections.Reconciliation;

/// <summary>
/// Which discrepancies to list. Status "open" means Open or Acknowledged (finance's to-do list); "all" includes history.
/// <paramref name="AsOf"/>: the list as it stood at that instant (opened, cleared and overdue by then), instead of now.
/// </summary>
public sealed record DiscrepancyFilter(string Status = "open", string? Rule = null, string? Crm = null, string? Owner = null, Duration? MinAge = null,
    Instant? AsOf = null);

/// <summary>A discrepancy as finance reads it: the stored occurrence with what only the clock can tell (detected-at, age, status).</summary>
public sealed record DiscrepancyRow(
    string Id, string Rule, string RuleName, Severity Severity, string Owner, DiscrepancyStatus Status, string Subject, IReadOnlyList<string> Crms,
    Instant DetectedAt, Duration Age, Common.Amount? Expected, Common.Amount? Actual, string Detail, IReadOnlyList<Common.EventRef> Evidence,
    Common.EventRef? ClosedBy, Common.EventRef? AcknowledgedBy, Common.EventRef? ResolvedBy, string? ResolvedByWhom, string? Resolution);

public sealed record DiscrepancyPage(IReadOnlyList<DiscrepancyRow> Items, int Total, int Page, int PageSize, Instant AsOf);

/// <summary>
/// Reads the discrepancy view: the occurrences kept in the quote and customer-match views, with the SLA rules
/// evaluated against the clock now (ADR/0014). Oldest first, so the list reads as a queue. Today's list is filtered,
/// counted and paged in PostgreSQL, so a page costs the same with a million quotes as with a hundred; a list as of an
/// instant replays each occurrence's history in memory (<see cref="ListFromDocumentsAsync"/>), which is also the reference
/// the SQL is tested against.
/// </summary>
public sealed class DiscrepancyQuery(IDocumentStore store, IClock clock, ReconciliationSlas slas)
{
    public Task<DiscrepancyPage> ListAsync(DiscrepancyFilter filter, int page, int pageSize, CancellationToken ct) =>
        filter.AsOf is null ? ListInDatabaseAsync(filter, page, pageSize, ct) : ListFromDocumentsAsync(filter, page, pageSize, ct);

    /// <summary>Every occurrence loaded, replayed to the instant asked (or now), filtered and paged here.</summary>
    public async Task<DiscrepancyPage> ListFromDocumentsAsync(DiscrepancyFilter filter, int page, int pageSize, CancellationToken ct)
    {
        var now = filter.AsOf ?? clock.GetCurrentInstant();
        var rows = (await AllAsync(now, filter.AsOf is not null, ct)).Where(r => Matches(r, filter)).ToList();
        return new DiscrepancyPage(rows.Skip((page - 1) * pageSize).Take(pageSize).ToList(), rows.Count, page, pageSize, now);
    }

    /// <summary>Today's list: the same rules as <see cref="Discrepancy.IsDiscrepancyAt"/> and <see cref="Matches"/>, written in SQL over the views' JSON.</summary>
    private async Task<DiscrepancyPage> ListInDatabaseAsync(DiscrepancyFilter filter, int page, int pageSize, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var timed = DiscrepancyRules.All.Select(r => (r.Code, Sla: slas.For(r.Code))).Where(r => r.Sla is not null).ToList();
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        // One statement: the filtered occurrences are computed once (a CTE read twice is materialized) for the count and the
        // page; an empty page still returns the count, on one row without an occurrence.
        await using var command = Command($"""
            {Filtered(filter)}
            select (select count(*) from filtered) as total, page.d::text
            from (select 1) as one
            left join lateral (select d, detected from filtered order by detected, d->>'id' collate "C" limit $9 offset $10) as page on true
            order by page.detected, page.d->>'id' collate "C"
            """, filter, now, timed);
        command.Connection = connection;
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = pageSize });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = (long)(page - 1) * pageSize });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var serializer = store.Options.Serializer();
        var rows = new List<DiscrepancyRow>();
        long total = 0;
        while (await reader.ReadAsync(ct))
        {
            total = reader.GetInt64(0);
            if (!reader.IsDBNull(1) && Row(serializer.FromJson<Discrepancy>(reader, 1), now) is { } row) rows.Add(row);
        }
        return new DiscrepancyPage(rows, checked((int)total), page, pageSize, now);
    }

    /// <summary>
    /// The occurrences that are discrepancies at $1 and match the filter, with the instant each was detected. Parameters:
    /// $1 now, $2/$3 the rules with an SLA and its seconds, $4 status, $5 rule, $6 CRM, $7 owner, $8 minimum age in seconds.
    /// </summary>
    private string Filtered(DiscrepancyFilter filter)
    {
        string Table<T>() => store.Options.FindOrResolveDocumentType(typeof(T)).TableName.QualifiedName;
        const string Occurrences = "cross join lateral jsonb_array_elements(v.data->'discrepancies') as d where jsonb_typeof(v.data->'discrepancies') = 'array'";
        // Quotes through the partial index of those with discrepancies; customer matches and contracts are few.
        return $"""
            with sla as (select * from unnest($2::text[], $3::float8[]) as s(rule, seconds)),
            occurrences as (
                select d from {Table<Quotes.QuoteView>()} as v {Occurrences} and v.has_discrepancies
                union all
                select d from {Table<Customers.CustomerMatchView>()} as v {Occurrences}
                union all
                select d from {Table<Contracts.ContractView>()} as v {Occurrences}),
            timed as (
                select o.d,
                       (o.d->'openedBy'->>'at')::timestamptz + make_interval(secs => coalesce(sla.seconds, 0)) as detected,
                       case when jsonb_typeof(o.d->'closedBy') = 'object' then (o.d->'closedBy'->>'at')::timestamptz end as closed,
                       coalesce(case when jsonb_typeof(o.d->'resolvedBy') = 'object' then (o.d->'resolvedBy'->>'at')::timestamptz end,
                                case when jsonb_typeof(o.d->'closedBy') = 'object' then (o.d->'closedBy'->>'at')::timestamptz end) as ended,
                       case when jsonb_typeof(o.d->'resolvedBy') = 'object' then 'resolved'
                            when jsonb_typeof(o.d->'closedBy') = 'object' then 'closed'
                            when jsonb_typeof(o.d->'acknowledgedBy') = 'object' then 'acknowledged'
                            else 'open' end as status
                from occurrences as o left join sla on sla.rule = o.d->>'rule'),
            filtered as (
                select d, detected from timed
                where $1::timestamptz >= detected and (closed is null or closed >= detected)
                  and ($4 = 'all' or ($4 = 'open' and status in ('open', 'acknowledged')) or status = lower($4))
                  and ($5::text is null or d->>'rule' = $5 or d->>'ruleName' = $5)
                  and ($6::text is null or d->'crms' ? $6)
                  and ($7::text is null or d->>'owner' = $7)
                  and ($8::float8 is null or extract(epoch from (case when ended < $1::timestamptz then ended else $1::timestamptz end) - detected) >= $8))
            """;
    }

    private static NpgsqlCommand Command(string sql, DiscrepancyFilter filter, Instant now, IReadOnlyList<(string Code, Duration? Sla)> timed)
    {
        var command = new NpgsqlCommand(sql);
        // As text, read by PostgreSQL as the recorded instants in the JSON are: both rounded to its microseconds alike, so an
        // occurrence detected exactly now is not lost to a rounding of one side only.
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = InstantPattern.ExtendedIso.Format(now) });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = timed.Select(t => t.Code).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<double[]> { TypedValue = timed.Select(t => t.Sla!.Value.TotalSeconds).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = filter.Status });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)filter.Rule ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)filter.Crm ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)filter.Owner ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)filter.MinAge?.TotalSeconds ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Double });
        return command;
    }

    public async Task<DiscrepancyRow?> FindAsync(DiscrepancyId id, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        await using var session = store.QuerySession();
        var book = id.Rule == DiscrepancyRules.DuplicateCustomer.Code
            ? (await session.LoadAsync<CustomerMatchView>(id.Subject, ct))?.Discrepancies
            // A contract's discrepancies (its own rules, and the billing rules on its changes' handoffs) are the contract view's.
            : Ledger.Domain.Contracts.ContractDecider.IsContractId(id.Subject)
                ? (await session.LoadAsync<Contracts.ContractView>(id.Subject, ct))?.Discrepancies
                : (await session.LoadAsync<QuoteView>(id.Subject, ct))?.Discrepancies;
        return book?.FirstOrDefault(d => d.Id == id.ToString()) is { } d && Row(d, now) is { } row ? row : null;
    }

    private async Task<List<DiscrepancyRow>> AllAsync(Instant now, bool asOf, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var quotes = await session.Query<QuoteView>().Where(x => x.Discrepancies.Any()).ToListAsync(ct);
        var customers = await session.Query<CustomerMatchView>().Where(x => x.Discrepancies.Any()).ToListAsync(ct);
        var contracts = await session.Query<Contracts.ContractView>().Where(x => x.Discrepancies.Any()).ToListAsync(ct);
        return quotes.SelectMany(q => q.Discrepancies).Concat(customers.SelectMany(c => c.Discrepancies)).Concat(contracts.SelectMany(c => c.Discrepancies))
            .Select(d => asOf ? d.AsOf(now) : d).OfType<Discrepancy>()
            .Select(d => Row(d, now)).OfType<DiscrepancyRow>()
            .OrderBy(r => r.DetectedAt).ThenBy(r => r.Id, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Null for an SLA occurrence whose time has not run out, or whose cause went away in time: not a discrepancy.</summary>
    private DiscrepancyRow? Row(Discrepancy d, Instant now)
    {
        var sla = slas.For(d.Rule);
        if (!d.IsDiscrepancyAt(now, sla)) return null;
        var detected = d.DetectedAt(sla);
        var end = d.ResolvedBy?.At ?? d.ClosedBy?.At;
        return new DiscrepancyRow(d.Id, d.Rule, d.RuleName, d.Severity, d.Owner, d.Status, d.Subject, d.Crms, detected,
            (end is { } e && e < now ? e : now) - detected, d.Expected, d.Actual, d.Detail, d.Evidence, d.ClosedBy, d.AcknowledgedBy, d.ResolvedBy,
            d.ResolvedByWhom, d.Resolution);
    }

    private static bool Matches(DiscrepancyRow r, DiscrepancyFilter f) =>
        f.Status switch
        {
            "open" => r.Status is DiscrepancyStatus.Open or DiscrepancyStatus.Acknowledged,
            "all" => true,
            var s => string.Equals(r.Status.ToString(), s, StringComparison.OrdinalIgnoreCase),
        }
        && (f.Rule is null || r.Rule == f.Rule || r.RuleName == f.Rule)
        && (f.Crm is null || r.Crms.Contains(f.Crm))
        && (f.Owner is null || r.Owner == f.Owner)
        && (f.MinAge is null || r.Age >= f.MinAge);
}

/// <summary>The SLA of each time rule: the catalogue's default unless configuration says otherwise. Changing one needs no rebuild.</summary>
public sealed class ReconciliationSlas(IReadOnlyDictionary<string, Duration> overrides)
{
    public static readonly ReconciliationSlas Defaults = new(new Dictionary<string, Duration>());

    public Duration? For(string rule) => overrides.TryGetValue(rule, out var d) ? d : DiscrepancyRules.Find(rule)?.Sla;
}
