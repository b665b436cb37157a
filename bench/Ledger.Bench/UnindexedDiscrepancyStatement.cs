using Ledger.Domain.Reconciliation;
using Ledger.Projections.Contracts;
using Ledger.Projections.Customers;
using Ledger.Projections.Quotes;
using Ledger.Projections.Reconciliation;
using Marten;
using Npgsql;
using NodaTime;
using NodaTime.Text;

namespace Ledger.Bench;

/// <summary>
/// The reference of the finance benchmark: the discrepancy list's statement as main ran it before the occurrences' index
/// (commit 6cb2372, ADR/0014): every occurrence unnested from the JSON of the views that have any, filtered, counted and
/// paged in one statement. Kept here only to be measured beside the API in the same run.
/// </summary>
public sealed class UnindexedDiscrepancyStatement(IDocumentStore store, ReconciliationSlas slas)
{
    public async Task<DiscrepancyPage> PageAsync(DiscrepancyFilter filter, Instant now, int pageSize)
    {
        var timed = DiscrepancyRules.All.Select(r => (r.Code, Sla: slas.For(r.Code))).Where(r => r.Sla is not null).ToList();
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"""
            {Filtered()}
            select (select count(*) from filtered) as total, page.d::text
            from (select 1) as one
            left join lateral (select d, detected from filtered order by detected, d->>'id' collate "C" limit $9 offset $10) as page on true
            order by page.detected, page.d->>'id' collate "C"
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = InstantPattern.ExtendedIso.Format(now) });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = timed.Select(t => t.Code).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<double[]> { TypedValue = timed.Select(t => t.Sla!.Value.TotalSeconds).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = filter.Status });
        foreach (var value in new[] { filter.Rule, filter.Crm, filter.Owner })
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)filter.MinAge?.TotalSeconds ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Double });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = pageSize });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = 0 });
        await using var reader = await command.ExecuteReaderAsync();
        var serializer = store.Options.Serializer();
        var rows = new List<DiscrepancyRow>();
        long total = 0;
        while (await reader.ReadAsync())
        {
            total = reader.GetInt64(0);
            if (!reader.IsDBNull(1)) rows.Add(Row(serializer.FromJson<Discrepancy>(reader, 1), now));
        }
        return new DiscrepancyPage(rows, checked((int)total), 1, pageSize, now);
    }

    private DiscrepancyRow Row(Discrepancy d, Instant now)
    {
        var detected = d.DetectedAt(slas.For(d.Rule));
        var end = d.ResolvedBy?.At ?? d.ClosedBy?.At;
        return new DiscrepancyRow(d.Id, d.Rule, d.RuleName, d.Severity, d.Owner, d.Status, d.Subject, d.Crms, detected,
            (end is { } e && e < now ? e : now) - detected, d.Expected, d.Actual, d.Detail, d.Evidence, d.ClosedBy, d.AcknowledgedBy, d.ResolvedBy,
            d.ResolvedByWhom, d.Resolution);
    }

    private string Filtered()
    {
        string Table<T>() => store.Options.FindOrResolveDocumentType(typeof(T)).TableName.QualifiedName;
        const string Occurrences = "cross join lateral jsonb_array_elements(v.data->'discrepancies') as d where jsonb_typeof(v.data->'discrepancies') = 'array'";
        return $"""
            with sla as (select * from unnest($2::text[], $3::float8[]) as s(rule, seconds)),
            occurrences as (
                select d from {Table<QuoteReconciliation>()} as v {Occurrences} and v.has_discrepancies
                union all
                select d from {Table<CustomerMatchView>()} as v {Occurrences}
                union all
                select d from {Table<ContractReconciliation>()} as v {Occurrences}),
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
}
