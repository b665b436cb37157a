using Ledger.Domain;
using Ledger.Domain.Approvals;
using Ledger.EventStore;

namespace Ledger.Application;

/// <summary>Every event type the ledger stores, under its versioned name: the domain's list, in the store's registry.</summary>
public static class LedgerEventTypes
{
    public static EventTypeRegistry Registry()
    {
        var registry = new EventTypeRegistry();
        foreach (var (type, name) in EventNames.All) registry.Register(type, name);
        // v2 added a field (ADR/0017); a v1 event reads as v2 without it.
        registry.Upcast("order-placed.v1", data => ("order-placed.v2", data));
        // v3 names the contract change a handoff bills (ADR/0021); v1 and v2 handoffs are orders'. Each old name reads as the current one.
        registry.Upcast("billing-handoff-requested.v1", data => ("billing-handoff-requested.v3", data));
        registry.Upcast("billing-handoff-requested.v2", data => ("billing-handoff-requested.v3", data));
        // v2 lets an offering carry subscription terms (ADR/0021); a v1 offering is a one-off sale.
        registry.Upcast("catalog-version-published.v1", data => ("catalog-version-published.v2", data));
        // v2 adds the renewal uplift (ADR/0021); a v1 policy raises renewals by 0.
        registry.Upcast("pricing-policy-published.v1", data => ("pricing-policy-published.v2", data));
        // v2 records the authority a level was granted on (ADR/0023); a v1 grant reads as granted on the approver's own.
        registry.Upcast("approval-level-granted.v1", data =>
        {
            data["authority"] = new System.Text.Json.Nodes.JsonObject { ["kind"] = nameof(AuthorityKind.Own) };
            return ("approval-level-granted.v2", data);
        });
        return registry;
    }
}
