using Ledger.Domain.Common;
using NodaTime;

namespace Ledger.Domain.Customers;

/// <summary>One CRM account maps to exactly one canonical customer (<c>crm-account-{crm}-{accountId}</c>).</summary>
public static class CrmAccountDecider
{
    public static string StreamId(string crm, string accountId) => $"crm-account-{crm}-{accountId}";

    public static CrmAccountState Initial => CrmAccountState.Initial;

    public static CrmAccountState Evolve(CrmAccountState state, CrmAccountEvent @event) => @event switch
    {
        CrmAccountClaimed e => new CrmAccountState(e.CustomerId),
        CrmAccountReassigned e => new CrmAccountState(e.ToCustomerId),
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "Unknown CRM account event."),
    };

    public static Decision<CrmAccountEvent> Decide(CrmAccountCommand command, CrmAccountState state, Instant now) => command switch
    {
        ClaimCrmAccount c when state.CustomerId is null => Decision<CrmAccountEvent>.Of(new CrmAccountClaimed(c.Crm, c.AccountId, c.CustomerId, now)),
        ClaimCrmAccount c when state.CustomerId == c.CustomerId => Decision<CrmAccountEvent>.Nothing,
        ClaimCrmAccount c => Decision<CrmAccountEvent>.Refuse(RefusalKind.Conflict, "customer.account-linked-elsewhere",
            $"{c.Crm} account {c.AccountId} already belongs to customer {state.CustomerId}; merge the customers instead.", "accountId"),
        ReassignCrmAccount c when state.CustomerId == c.ToCustomerId => Decision<CrmAccountEvent>.Nothing,
        ReassignCrmAccount c when state.CustomerId == c.FromCustomerId =>
            Decision<CrmAccountEvent>.Of(new CrmAccountReassigned(c.Crm, c.AccountId, c.FromCustomerId, c.ToCustomerId, now)),
        ReassignCrmAccount c => Decision<CrmAccountEvent>.Refuse(RefusalKind.Conflict, "customer.account-linked-elsewhere",
            $"{c.Crm} account {c.AccountId} belongs to {state.CustomerId ?? "nobody"}, not {c.FromCustomerId}.", "accountId"),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown CRM account command."),
    };
}
