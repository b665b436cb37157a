using Ledger.Projections.Common;
using Ledger.Projections.Quotes;
using Ledger.Projections.Reconciliation;
using Marten;
using Npgsql;
using NodaTime;
using NodaTime.Text;

namespace Ledger.Projections.Revenue;

/// <summary>
/// Accepted, ordered and billed totals of one CRM, region and currency in one month (UTC) of the event that counted; and
/// how contracts' whole-term net value moved in it (ADR/0021): <paramref name="New"/> contracts started,
/// <paramref name="Expansion"/> and <paramref name="Contraction"/> (negative) by amendments, <paramref name="Renewal"/>
/// terms renewed, <paramref name="Churn"/> (negative) the terms lost to cancellation or expiry.
/// </summary>
public sealed record RevenueLine(string Crm, string Region, string Currency, string Month, decimal Accepted, decimal Ordered, decimal Billed,
    decimal New = 0, decimal Expansion = 0, decimal Contraction = 0, decimal Renewal = 0, decimal Churn = 0);

/// <summary>
/// Sums reconciliation's quote documents: accepted at acceptance, ordered at order placement (cancelled orders do not
/// count), billed at what billing holds. A sum over the per-quote document rather than a view of its own, because the month,
/// CRM and region of each figure live on different streams that only the quote documents join (ADR/0014); reconciliation's
/// (<see cref="QuoteReconciliation"/>, ADR/0029), not the CRM's, because what billing holds is the billing system's reported
/// records, which no CRM sees. Summed in PostgreSQL
/// (<see cref="ReadAsync"/>); <see cref="ReadFromDocumentsAsync"/> sums the loaded views and is the reference the SQL is tested against.
/// </summary>
public sealed class RevenueSummary(IDocumentStore store)
{
    private static readonly YearMonthPattern MonthPattern = YearMonthPattern.Iso;

    /// <param name="customerId">Only this canonical customer's quotes (those of customers merged into it included) and their contracts.</param>
    public async Task<IReadOnlyList<RevenueLine>> ReadAsync(string? crm, CancellationToken ct, string? customerId = null)
    {
        string Table<T>() => store.Options.FindOrResolveDocumentType(typeof(T)).TableName.QualifiedName;
        await using var command = new NpgsqlCommand();
        string Add(string value)
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = value });
            return $"${command.Parameters.Count}";
        }
        var counted = "(jsonb_typeof(v.data->'accepted') = 'object' or jsonb_typeof(v.data->'order') = 'object')" +
                      (crm is null ? "" : $" and v.data->>'sourceCrm' = {Add(crm)}") + (customerId is null ? "" : $" and v.data->>'customerId' = {Add(customerId)}");
        var contractFilter = (crm is null ? "" : $" and c.data->>'sourceCrm' = {Add(crm)}") + (customerId is null ? "" : " and q.id is not null");
        // The same figures as Figures(QuoteReconciliation) and Figures(ContractView) below, in one pass over the quote documents and one over the
        // contracts (a contract's region is its quote's, if that quote counts); months are UTC.
        command.CommandText = $$"""
            select * from (
            select crm, region, currency, to_char(at::timestamptz at time zone 'UTC', 'YYYY-MM') as month,
                   sum(accepted), sum(ordered), sum(billed),
                   coalesce(sum(moved) filter (where movement = 'New'), 0), coalesce(sum(moved) filter (where movement = 'Expansion'), 0),
                   coalesce(sum(moved) filter (where movement = 'Contraction'), 0), coalesce(sum(moved) filter (where movement = 'Renewal'), 0),
                   coalesce(sum(moved) filter (where movement is not null and movement not in ('New', 'Expansion', 'Contraction', 'Renewal')), 0)
            from (
                select coalesce(v.data->>'sourceCrm', '-') as crm, coalesce(v.data->>'region', '-') as region, f.*
                from {{Table<QuoteReconciliation>()}} as v
                cross join lateral (
                    select v.data->'accepted'->'value'->>'currency' as currency, v.data->'accepted'->'source'->>'at' as at,
                           (v.data->'accepted'->'value'->>'value')::numeric as accepted, 0::numeric as ordered, 0::numeric as billed,
                           null::text as movement, 0::numeric as moved
                    where jsonb_typeof(v.data->'accepted') = 'object'
                    union all
                    select v.data->'order'->'value'->'accepted'->>'currency', v.data->'order'->'source'->>'at',
                           0, (v.data->'order'->'value'->'accepted'->>'value')::numeric, 0, null, 0
                    where jsonb_typeof(v.data->'order') = 'object' and v.data->'order'->'value'->>'progress' is distinct from 'Cancelled'
                    union all
                    select b.currency, billed_at.at, 0, 0, b.amount, null, 0
                    from (
                        -- Billed when billing last said something: its newest record or acknowledgement.
                        select s->>'at' as at
                        from (select r->'source' as s from jsonb_array_elements(case when jsonb_typeof(v.data->'billingRecords') = 'array' then v.data->'billingRecords' else '[]' end) as r
                              union all
                              select v.data->'billing'->'source' where jsonb_typeof(v.data->'billing') = 'object') as sources
                        where jsonb_typeof(s) = 'object'
                        order by (s->>'position')::bigint desc limit 1) as billed_at
                    cross join lateral (
                        -- What billing holds: the live records per currency (credit notes subtract), else the acknowledged amount.
                        with live as (
                            select r->'amount'->>'currency' as currency,
                                   sum(case when r->>'kind' = 'CreditNote' then -(r->'amount'->>'value')::numeric else (r->'amount'->>'value')::numeric end) as amount
                            from jsonb_array_elements(case when jsonb_typeof(v.data->'billingRecords') = 'array' then v.data->'billingRecords' else '[]' end) as r
                            where r->>'status' is distinct from 'Void'
                            group by 1)
                        select currency, amount from live
                        union all
                        select v.data->'billing'->'value'->'billed'->>'currency', (v.data->'billing'->'value'->'billed'->>'value')::numeric
                        where not exists (select from live) and jsonb_typeof(v.data->'billing'->'value'->'billed') = 'object') as b
                    where jsonb_typeof(v.data->'order') = 'object') as f
                where {{counted}}
                union all
                select coalesce(c.data->>'sourceCrm', '-'), coalesce(q.data->>'region', '-'), coalesce(c.data->>'currency', '-'), m->'source'->>'at',
                       0, 0, 0, m->>'kind', (m->>'amount')::numeric
                from {{Table<Contracts.ContractView>()}} as c
                left join {{Table<QuoteReconciliation>()}} as q on q.id = c.data->>'quoteId' and {{counted.Replace("v.data", "q.data")}}
                cross join lateral jsonb_array_elements(case when jsonb_typeof(c.data->'movements') = 'array' then c.data->'movements' else '[]' end) as m
                where jsonb_typeof(c.data->'quoteId') = 'string'{{contractFilter}}) as figures
            group by 1, 2, 3, 4) as lines
            order by month collate "C", crm collate "C", region collate "C", currency collate "C"
            """;
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        command.Connection = connection;
        await using var reader = await command.ExecuteReaderAsync(ct);
        var lines = new List<RevenueLine>();
        while (await reader.ReadAsync(ct))
            lines.Add(new RevenueLine(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetDecimal(4), reader.GetDecimal(5), reader.GetDecimal(6),
                reader.GetDecimal(7), reader.GetDecimal(8), reader.GetDecimal(9), reader.GetDecimal(10), reader.GetDecimal(11)));
        return lines;
    }

    /// <summary>The same summary from the loaded views, summed here: how it was read before, and the reference for <see cref="ReadAsync"/>.</summary>
    public async Task<IReadOnlyList<RevenueLine>> ReadFromDocumentsAsync(string? crm, CancellationToken ct, string? customerId = null)
    {
        await using var session = store.QuerySession();
        var query = session.Query<QuoteReconciliation>().Where(x => x.Accepted != null || x.Order != null);
        if (crm is not null) query = query.Where(x => x.SourceCrm == crm);
        if (customerId is not null) query = query.Where(x => x.CustomerId == customerId);
        var views = await query.ToListAsync(ct);

        var contracts = session.Query<Contracts.ContractView>().Where(x => x.QuoteId != null);
        if (crm is not null) contracts = contracts.Where(x => x.SourceCrm == crm);
        // A contract's region is its quote's; one customer's summary has the contracts of its quotes only.
        var regions = views.ToDictionary(v => v.Id, v => v.Region ?? "-");
        var contractViews = (await contracts.ToListAsync(ct)).Where(c => customerId is null || regions.ContainsKey(c.QuoteId!));
        var figures = views.SelectMany(v => Figures(v)).Concat(contractViews.SelectMany(c => Figures(c, regions)));
        return figures
            .GroupBy(f => (f.Crm, f.Region, f.Currency, f.Month))
            .Select(g => new RevenueLine(g.Key.Crm, g.Key.Region, g.Key.Currency, g.Key.Month,
                g.Sum(f => f.Accepted), g.Sum(f => f.Ordered), g.Sum(f => f.Billed),
                g.Sum(f => f.New), g.Sum(f => f.Expansion), g.Sum(f => f.Contraction), g.Sum(f => f.Renewal), g.Sum(f => f.Churn)))
            .OrderBy(l => l.Month, StringComparer.Ordinal).ThenBy(l => l.Crm, StringComparer.Ordinal)
            .ThenBy(l => l.Region, StringComparer.Ordinal).ThenBy(l => l.Currency, StringComparer.Ordinal)
            .ToList();
    }

    private static IEnumerable<RevenueLine> Figures(QuoteReconciliation v)
    {
        var (crm, region) = (v.SourceCrm ?? "-", v.Region ?? "-");
        if (v.Accepted is { } accepted)
            yield return new RevenueLine(crm, region, accepted.Value.Currency, Month(accepted.Source.At), accepted.Value.Value, 0, 0);
        if (v.Order is { Value.Progress: not OrderProgress.Cancelled } order)
            yield return new RevenueLine(crm, region, order.Value.Accepted.Currency, Month(order.Source.At), 0, order.Value.Accepted.Value, 0);
        var billedAt = v.BillingRecords.Select(r => r.Source).Append(v.Billing?.Source).OfType<EventRef>().MaxBy(r => r.Position);
        if (v.Order is not null && billedAt is not null)
            foreach (var billed in QuoteFacts.Billed(v))
                yield return new RevenueLine(crm, region, billed.Currency, Month(billedAt.At), 0, 0, billed.Value);
    }

    private static IEnumerable<RevenueLine> Figures(Contracts.ContractView c, IReadOnlyDictionary<string, string> regions)
    {
        var (crm, region, currency) = (c.SourceCrm ?? "-", regions.GetValueOrDefault(c.QuoteId!, "-"), c.Currency ?? "-");
        foreach (var m in c.Movements)
        {
            var line = new RevenueLine(crm, region, currency, Month(m.Source.At), 0, 0, 0);
            yield return m.Kind switch
            {
                Contracts.ContractMovementKind.New => line with { New = m.Amount },
                Contracts.ContractMovementKind.Expansion => line with { Expansion = m.Amount },
                Contracts.ContractMovementKind.Contraction => line with { Contraction = m.Amount },
                Contracts.ContractMovementKind.Renewal => line with { Renewal = m.Amount },
                _ => line with { Churn = m.Amount },
            };
        }
    }

    private static string Month(Instant at) => MonthPattern.Format(new YearMonth(at.InUtc().Year, at.InUtc().Month));
}
