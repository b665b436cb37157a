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

/// <param name="TotalIsAtLeast">
/// True when today's list stopped counting at <see cref="DiscrepancyQuery.CountCap"/>: there are at least <paramref name="Total"/>
/// rows (ADR/0014). A page costs the same however many match; a list that long is read by its filters or its CSV, not its count.
/// </param>
public sealed record DiscrepancyPage(IReadOnlyList<DiscrepancyRow> Items, int Total, int Page, int PageSize, Instant AsOf, bool TotalIsAtLeast = false);

/// <summary>
/// Reads the discrepancy view: the occurrences kept in the quote and customer-match views, with the SLA rules
/// evaluated against the clock now (ADR/0014). Oldest first, so the list reads as a queue. Today's list is filtered,
/// counted (up to <see cref="CountCap"/>) and paged in PostgreSQL over an index of the occurrences (<see cref="DiscrepancyRows"/>), so a
/// page costs the same with a million quotes as with a hundred; a list as of an
/// instant replays each occurrence's history in memory (<see cref="ListFromDocumentsAsync"/>), which is also the reference
/// the SQL is tested against.
/// </summary>
public sealed class DiscrepancyQuery(IDocumentStore store, IClock clock, ReconciliationSlas slas)
{
    /// <summary>Today's list counts its rows up to this many (<see cref="DiscrepancyPage.TotalIsAtLeast"/>): counting costs a row each.</summary>
    public const int CountCap = 10_000;

    public Task<DiscrepancyPage> ListAsync(DiscrepancyFilter filter, int page, int pageSize, CancellationToken ct) =>
        filter.AsOf is null ? ListInDatabaseAsync(filter, page, pageSize, ct) : ListFromDocumentsAsync(filter, page, pageSize, ct);

    /// <summary>Every occurrence loaded, replayed to the instant asked (or now), filtered and paged here.</summary>
    public async Task<DiscrepancyPage> ListFromDocumentsAsync(DiscrepancyFilter filter, int page, int pageSize, CancellationToken ct)
    {
        var now = filter.AsOf ?? clock.GetCurrentInstant();
        var rows = (await AllAsync(now, filter.AsOf is not null, ct)).Where(r => Matches(r, filter)).ToList();
        return new DiscrepancyPage(rows.Skip((page - 1) * pageSize).Take(pageSize).ToList(), rows.Count, page, pageSize, now);
    }

    /// <summary>
    /// Today's list: the same rules as <see cref="Discrepancy.IsDiscrepancyAt"/> and <see cref="Matches"/>, written in SQL over
    /// the occurrences' index (<see cref="DiscrepancyRows"/>). The count and the page are one statement; only the page's
    /// occurrences are read from the views' JSON.
    /// </summary>
    private async Task<DiscrepancyPage> ListInDatabaseAsync(DiscrepancyFilter filter, int page, int pageSize, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        if (PageStatement(filter, page, pageSize, now) is not { } statement) return new DiscrepancyPage([], 0, page, pageSize, now);
        var (text, sql) = statement;
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = sql.Command(text, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var serializer = store.Options.Serializer();
        var rows = new List<DiscrepancyRow>();
        long total = 0;
        while (await reader.ReadAsync(ct))
        {
            total = reader.GetInt64(0);
            if (!reader.IsDBNull(1) && Row(serializer.FromJson<Discrepancy>(reader, 1), now) is { } row) rows.Add(row);
        }
        return total > CountCap ? new DiscrepancyPage(rows, CountCap, page, pageSize, now, TotalIsAtLeast: true) : new DiscrepancyPage(rows, (int)total, page, pageSize, now);
    }

    /// <summary>
    /// The statement of one page and the count (public so the benchmark can EXPLAIN it); null when the filter can match nothing.
    /// Each range's subquery has a limit, so PostgreSQL reads it as an index range per (status, rule) row; without one, it
    /// joins the ranges by hashing every row of the CRM (seen at 100,000 views: 81 ms for a count of none).
    /// </summary>
    public (string Text, Statement Parameters)? PageStatement(DiscrepancyFilter filter, int page, int pageSize, Instant now)
    {
        var sql = new Statement(now);
        if (Ranges(filter, sql) is not { } ranges) return null;
        var (limit, offset, cap) = (sql.Add((long)page * pageSize), sql.Add((long)(page - 1) * pageSize), sql.Add((long)CountCap + 1));
        return ($"""
            {ranges.With}
            select (select count(*) from (select from branch as b cross join lateral (select from {ranges.From} limit {cap}) as c limit {cap}) as counted) as total,
                   {Occurrence("p")}::text
            from (select 1) as one
            left join lateral (
                select f.* from branch as b
                cross join lateral (select {ranges.Columns} from {ranges.From} order by r.opened_at, r.id limit {limit}) as f
                order by f.detected, f.id limit {limit} - {offset} offset {offset}) as p on true
            order by p.detected, p.id
            """, sql);
    }

    /// <summary>
    /// Every row of today's list, oldest first, read as PostgreSQL sends them (for the CSV export): nothing is held but the
    /// row being written. A list as of an instant is built in memory as <see cref="ListFromDocumentsAsync"/> does.
    /// </summary>
    public async IAsyncEnumerable<DiscrepancyRow> StreamAsync(DiscrepancyFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        if (filter.AsOf is not null)
        {
            foreach (var row in (await ListFromDocumentsAsync(filter, 1, int.MaxValue, ct)).Items) yield return row;
            yield break;
        }
        var now = clock.GetCurrentInstant();
        var sql = new Statement(now);
        if (Ranges(filter, sql) is not { } ranges) yield break;
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = sql.Command($"""
            {ranges.With}
            select {Occurrence("f")}::text
            from branch as b cross join lateral (select {ranges.Columns} from {ranges.From}) as f
            order by f.detected, f.id
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var serializer = store.Options.Serializer();
        while (await reader.ReadAsync(ct))
            if (!reader.IsDBNull(0) && Row(serializer.FromJson<Discrepancy>(reader, 0), now) is { } row)
                yield return row;
    }

    /// <summary>
    /// One indexed range per rule and status the filter asks for (the rows of <c>branch</c>, joined laterally, so the
    /// statement is planned once whatever their number): within one rule the SLA is the same, so the order of the opening
    /// instants is the order of detection, and the index (CRM, [owner,] status, rule, opened) hands the rows over in it; the
    /// ranges are merged by detection. A range's bound on the opening says "detected by now" and, for occurrences not
    /// ended, "at least this old"; an ended one is checked against its end. Null when no range can match.
    /// </summary>
    private (string With, string From, string Columns)? Ranges(DiscrepancyFilter filter, Statement sql)
    {
        string[] statuses = filter.Status switch
        {
            "open" => ["open", "acknowledged"],
            "all" => ["open", "acknowledged", "resolved", "closed"],
            var s => [s.ToLowerInvariant()],
        };
        var ranges = (
            from rule in DiscrepancyRules.All
            where filter.Rule is null || rule.Code == filter.Rule || rule.Name == filter.Rule
            let sla = slas.For(rule.Code)?.TotalSeconds ?? 0
            from status in statuses
            let ended = status is not ("open" or "acknowledged")
            select (Status: status, Rule: rule.Code, Sla: sla, Bound: ended ? sla : sla + (filter.MinAge?.TotalSeconds ?? 0))).ToList();
        if (ranges.Count == 0) return null;
        var with = $"with branch as materialized (select * from unnest({sql.Add(ranges.Select(r => r.Status).ToArray())}::text[], " +
                   $"{sql.Add(ranges.Select(r => r.Rule).ToArray())}::text[], {sql.Add(ranges.Select(r => r.Sla).ToArray())}::float8[], " +
                   $"{sql.Add(ranges.Select(r => r.Bound).ToArray())}::float8[]) as b(status, rule, sla, bound))";
        var where = $"r.crm = {sql.Add(filter.Crm ?? "")}" + (filter.Owner is null ? "" : $" and r.owner = {sql.Add(filter.Owner)}") +
                    $" and r.status = b.status and r.rule = b.rule and r.opened_at <= {sql.Now} - make_interval(secs => b.bound)";
        if (statuses.Any(s => s is not ("open" or "acknowledged")))
            where += " and (b.status in ('open', 'acknowledged') or ((r.closed_at is null or r.closed_at >= r.opened_at + make_interval(secs => b.sla))" +
                     (filter.MinAge is { } m ? $" and extract(epoch from least(r.ended_at, {sql.Now}) - r.opened_at) >= b.sla + {sql.Add(m.TotalSeconds)}" : "") + "))";
        return (with, $"{DiscrepancyRows.Table(store.Options.DatabaseSchemaName)} as r where {where}",
            "r.source, r.view_id, r.ordinal, r.id, r.opened_at + make_interval(secs => b.sla) as detected");
    }

    /// <summary>The occurrence's JSON, read from the view that keeps it (<paramref name="alias"/> has source, view_id, ordinal).</summary>
    private string Occurrence(string alias)
    {
        string From<T>()
        {
            var table = store.Options.FindOrResolveDocumentType(typeof(T)).TableName;
            return $"when '{table.Name}' then (select v.data->'discrepancies'->{alias}.ordinal from {table.QualifiedName} as v where v.id = {alias}.view_id)";
        }
        return $"(case {alias}.source {From<QuoteReconciliation>()} {From<CustomerMatchView>()} {From<ContractReconciliation>()} end)";
    }

    /// <summary>A statement's positional parameters; $1 is now.</summary>
    public sealed class Statement
    {
        private readonly List<NpgsqlParameter> _parameters = [];

        public Statement(Instant now) =>
            // As text, read by PostgreSQL as the recorded instants in the JSON are: both rounded to its microseconds alike, so an
            // occurrence detected exactly now is not lost to a rounding of one side only.
            Now = $"{Add(InstantPattern.ExtendedIso.Format(now))}::timestamptz";

        public string Now { get; }

        public string Add<T>(T value)
        {
            _parameters.Add(new NpgsqlParameter<T> { TypedValue = value });
            return $"${_parameters.Count}";
        }

        public NpgsqlCommand Command(string text, NpgsqlConnection connection)
        {
            var command = new NpgsqlCommand(text, connection);
            command.Parameters.AddRange(_parameters.ToArray());
            return command;
        }
    }

    /// <summary>
    /// Today's count of each rule's discrepancies the filter lists (its rule ignored), in one statement over the same index
    /// ranges as <see cref="ListAsync"/>, each capped as its count is: a worklist's counts per rule without a query per rule.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, (int Count, bool AtLeast)>> CountPerRuleAsync(DiscrepancyFilter filter, CancellationToken ct)
    {
        var sql = new Statement(clock.GetCurrentInstant());
        var counts = DiscrepancyRules.All.ToDictionary(r => r.Code, _ => 0L);
        if (Ranges(filter with { Rule = null }, sql) is { } ranges)
        {
            var cap = sql.Add((long)CountCap + 1);
            await using var connection = store.Storage.Database.CreateConnection();
            await connection.OpenAsync(ct);
            await using var command = sql.Command($"""
                {ranges.With}
                select b.rule, (select count(*) from (select from {ranges.From} limit {cap}) as c) from branch as b
                """, connection);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) counts[reader.GetString(0)] += reader.GetInt64(1);
        }
        return counts.ToDictionary(c => c.Key, c => ((int)Math.Min(c.Value, CountCap), c.Value > CountCap));
    }

    /// <summary>The CRMs and owners any discrepancy names, for a worklist's filters: read from the index, not the list.</summary>
    public async Task<(IReadOnlyList<string> Crms, IReadOnlyList<string> Owners)> FacetsAsync(CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        var table = DiscrepancyRows.Table(store.Options.DatabaseSchemaName);
        await using var command = new NpgsqlCommand(
            $"select 'crm', crm from (select distinct crm from {table} where crm <> '') as c " +
            $"union all select 'owner', owner from (select distinct owner from {table} where crm = '') as o", connection);
        var (crms, owners) = (new List<string>(), new List<string>());
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                (reader.GetString(0) == "crm" ? crms : owners).Add(reader.GetString(1));
        return (crms.Order(StringComparer.Ordinal).ToList(), owners.Order(StringComparer.Ordinal).ToList());
    }

    public async Task<DiscrepancyRow?> FindAsync(DiscrepancyId id, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        await using var session = store.QuerySession();
        var book = id.Rule == DiscrepancyRules.DuplicateCustomer.Code
            ? (await session.LoadAsync<CustomerMatchView>(id.Subject, ct))?.Discrepancies
            // A contract's discrepancies (its own rules, and the billing rules on its changes' handoffs) are reconciliation's contract model's (ADR/0029).
            : Ledger.Domain.Contracts.ContractDecider.IsContractId(id.Subject)
                ? (await session.LoadAsync<ContractReconciliation>(id.Subject, ct))?.Discrepancies
                : (await session.LoadAsync<QuoteReconciliation>(id.Subject, ct))?.Discrepancies;
        return book?.FirstOrDefault(d => d.Id == id.ToString()) is { } d && Row(d, now) is { } row ? row : null;
    }

    private async Task<List<DiscrepancyRow>> AllAsync(Instant now, bool asOf, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var quotes = await session.Query<QuoteReconciliation>().Where(x => x.Discrepancies.Any()).ToListAsync(ct);
        var customers = await session.Query<CustomerMatchView>().Where(x => x.Discrepancies.Any()).ToListAsync(ct);
        var contracts = await session.Query<ContractReconciliation>().Where(x => x.Discrepancies.Any()).ToListAsync(ct);
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
