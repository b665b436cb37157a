using System.Text.Json;
using JasperFx.Events;
using JasperFx.Events.Grouping;
using Ledger.Domain;
using Ledger.Domain.Customers;
using Ledger.Domain.Reconciliation;
using Ledger.Projections.Common;
using Ledger.Projections.Rebuilds;
using Ledger.Projections.Reconciliation;
using Marten;
using Marten.Events.Aggregation;
using Marten.Events.Projections;

namespace Ledger.Projections.Customers;

/// <summary>
/// Groups canonical customers by match key and finds likely duplicates (QTC-07). A link or a merge names only the
/// customer, so the grouper reads that customer's registration from the event store (never from a view) to learn its
/// keys: the same answer in a rebuild as live.
/// </summary>
public sealed class CustomerMatchProjection : MultiStreamProjection<CustomerMatchView, string>, IRebuildSlicing
{
    public const string ProjectionName = "customer-matches";

    private static readonly IReadOnlyCollection<DiscrepancyRule> Rules = [DiscrepancyRules.DuplicateCustomer];

    public CustomerMatchProjection()
    {
        Name = ProjectionName;
        Identities<CustomerRegistered>(e => CustomerMatchKeys.For(e.Name, e.WebDomain));
        Identities<DiscrepancyEvent>(e => e.Rule == DiscrepancyRules.DuplicateCustomer.Code ? [e.Subject] : []);
        CustomGrouping(new RegistrationKeysGrouper());
        // The grouper routes links and merges.
        ConcreteEventTypes.Include(this, typeof(CustomerRegistered), typeof(DiscrepancyEvent), typeof(CrmAccountLinked), typeof(CustomerMerged));
    }

    /// <summary>The grouper reads registrations from the event log, which a rebuild does not write, never the stored matches.</summary>
    public bool ReadsStoredDocuments(IEvent e) => false;

    /// <summary>The occurrence index's rows of the batch's models, kept once per batch (<see cref="DiscrepancyRows.KeptByBatch{TView}"/>).</summary>
    public override Task EnrichEventsAsync(SliceGroup<CustomerMatchView, string> group, IQuerySession querySession, CancellationToken cancellation)
    {
        DiscrepancyRows.KeptByBatch(group, querySession);
        return base.EnrichEventsAsync(group, querySession, cancellation);
    }

    public override CustomerMatchView Evolve(CustomerMatchView? snapshot, string id, IEvent e)
    {
        var view = snapshot ?? new CustomerMatchView { Id = id };
        var at = view.Customers.FindIndex(c => c.CustomerId == (e.Data as CustomerEvent)?.CustomerId);
        switch (e.Data)
        {
            case CustomerRegistered r when at < 0:
                view.Customers.Add(new MatchedCustomer(r.CustomerId, r.Name, r.WebDomain, [], EventRef.Of(e), null));
                break;
            case CrmAccountLinked l when at >= 0:
                view.Customers[at] = view.Customers[at] with { Crms = [.. view.Customers[at].Crms.Append(l.Crm).Distinct().Order(StringComparer.Ordinal)] };
                break;
            case CustomerMerged when at >= 0:
                view.Customers[at] = view.Customers[at] with { MergedBy = EventRef.Of(e) };
                break;
        }
        view.Through = EventRef.Of(e);

        if (e.Data is DiscrepancyEvent) DiscrepancyBook.Clear(view.Discrepancies, e);
        else DiscrepancyBook.Reconcile(view.Discrepancies, id, view.Customers.Where(c => c.MergedBy is null).SelectMany(c => c.Crms), Findings(view), Rules, e);
        return view;
    }

    private static IReadOnlyList<Finding> Findings(CustomerMatchView view)
    {
        var active = view.Customers.Where(c => c.MergedBy is null).ToList();
        if (active.Count < 2) return [];
        var proof = active.Select(c => c.Registered).OrderBy(r => r.Position).ToList();
        return [new Finding(DiscrepancyRules.DuplicateCustomer, proof[^1], proof, null, null,
            $"{active.Count} canonical customers match '{view.Id}': {string.Join(", ", active.Select(c => $"{c.CustomerId} ({c.Name}; {string.Join("/", c.Crms.DefaultIfEmpty("no CRM"))})"))}.")];
    }

    private static readonly string RegisteredTypeName = EventNames.All.Single(e => e.Type == typeof(CustomerRegistered)).Name;

    private sealed record Registration(string CustomerId, string Name, string? WebDomain);

    /// <summary>Routes links and merges to the match keys of the customer they name, read from its registration event.</summary>
    private sealed class RegistrationKeysGrouper : IAggregateGrouper<string>
    {
        public async Task Group(IQuerySession session, IReadOnlyList<IEvent> events, IEventGrouping<string> grouping)
        {
            var named = events.Where(e => e.Data is CrmAccountLinked or CustomerMerged).ToList();
            if (named.Count == 0) return;
            var keys = new Dictionary<string, IReadOnlyList<string>>();
            var ids = named.Select(e => ((CustomerEvent)e.Data).CustomerId.Value).Distinct().ToList(); // a SQL parameter: the strings
            // Found by content, not by stream name, in one query for the batch. (Marten's typed event query looks for
            // its default type alias, not the versioned name the ledger maps, so this one is SQL.)
            var registrations = await session.AdvancedSql.QueryAsync<string>(
                $"select data::text from {session.DocumentStore.Options.Events.DatabaseSchemaName}.mt_events where type = ? and data ->> 'customerId' = ANY(?)",
                CancellationToken.None, RegisteredTypeName, ids.ToArray());
            foreach (var json in registrations)
            {
                var r = JsonSerializer.Deserialize<Registration>(json, JsonSerializerOptions.Web)!;
                keys.TryAdd(r.CustomerId, CustomerMatchKeys.For(r.Name, r.WebDomain));
            }
            foreach (var e in named)
                foreach (var key in keys.GetValueOrDefault(((CustomerEvent)e.Data).CustomerId, []))
                    grouping.AddEvent(key, e);
        }
    }
}
