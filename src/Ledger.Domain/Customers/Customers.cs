using System.Collections.Immutable;
using Ledger.Domain.Common;
using NodaTime;

namespace Ledger.Domain.Customers;

public sealed record CrmAccount(string Crm, string AccountId);

public abstract record CustomerEvent(string CustomerId);

public sealed record CustomerRegistered(string CustomerId, string Name, string? WebDomain, string RegisteredBy, Instant RegisteredAt) : CustomerEvent(CustomerId);

public sealed record CrmAccountLinked(string CustomerId, string Crm, string AccountId, string LinkedBy, Instant LinkedAt) : CustomerEvent(CustomerId);

/// <summary>This canonical customer was found to be the same as another and now lives on as that one.</summary>
public sealed record CustomerMerged(string CustomerId, string IntoCustomerId, IReadOnlyList<CrmAccount> MovedAccounts, string MergedBy, Instant MergedAt)
    : CustomerEvent(CustomerId);

public abstract record CustomerCommand(string CustomerId);

public sealed record RegisterCustomer(string CustomerId, string Name, string? WebDomain, string RegisteredBy) : CustomerCommand(CustomerId);

public sealed record LinkCrmAccount(string CustomerId, string Crm, string AccountId, string LinkedBy) : CustomerCommand(CustomerId);

/// <param name="Target">The customer merged into, as it is now; null when it does not exist.</param>
public sealed record MergeCustomer(string CustomerId, string IntoCustomerId, CustomerState? Target, string MergedBy) : CustomerCommand(CustomerId);

public enum CustomerStatus { None, Active, Merged }

/// <param name="MovedAccounts">After a merge: the accounts that moved to <paramref name="MergedInto"/>.</param>
public sealed record CustomerState(CustomerStatus Status, string? Name, ImmutableList<CrmAccount> Accounts, string? MergedInto, IReadOnlyList<CrmAccount> MovedAccounts)
{
    public static readonly CustomerState Initial = new(CustomerStatus.None, null, [], null, []);
}

/// <summary>A canonical customer (<c>customer-{id}</c>): registered, linked to CRM accounts, merged into another.</summary>
public static class CustomerDecider
{
    public static string StreamId(string customerId) => $"customer-{customerId}";

    public static CustomerState Initial => CustomerState.Initial;

    public static CustomerState Evolve(CustomerState state, CustomerEvent @event) => @event switch
    {
        CustomerRegistered e => state with { Status = CustomerStatus.Active, Name = e.Name },
        CrmAccountLinked e => state with { Accounts = state.Accounts.Add(new CrmAccount(e.Crm, e.AccountId)) },
        CustomerMerged e => state with { Status = CustomerStatus.Merged, MergedInto = e.IntoCustomerId, Accounts = [], MovedAccounts = e.MovedAccounts },
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "Unknown customer event."),
    };

    public static Decision<CustomerEvent> Decide(CustomerCommand command, CustomerState state, Instant now)
    {
        if (command is not RegisterCustomer && state.Status == CustomerStatus.None)
            return Decision<CustomerEvent>.Refuse(RefusalKind.NotFound, "customer.not-found", $"Customer {command.CustomerId} is not registered.", "customerId");
        if (command is not RegisterCustomer && state.Status == CustomerStatus.Merged)
            return Decision<CustomerEvent>.Refuse(RefusalKind.Conflict, "customer.merged", $"Customer {command.CustomerId} was merged into {state.MergedInto}; use that one.");
        switch (command)
        {
            case RegisterCustomer c:
                if (state.Status != CustomerStatus.None)
                    return state.Name == c.Name
                        ? Decision<CustomerEvent>.Nothing
                        : Decision<CustomerEvent>.Refuse(RefusalKind.Conflict, "customer.already-registered", $"Customer {c.CustomerId} already exists.", "customerId");
                if (string.IsNullOrWhiteSpace(c.Name))
                    return Decision<CustomerEvent>.Invalid("name", "customer.field-required", "name is required.");
                return Decision<CustomerEvent>.Of(new CustomerRegistered(c.CustomerId, c.Name, c.WebDomain, c.RegisteredBy, now));

            case LinkCrmAccount c:
                if (string.IsNullOrWhiteSpace(c.Crm) || string.IsNullOrWhiteSpace(c.AccountId))
                    return Decision<CustomerEvent>.Invalid(string.IsNullOrWhiteSpace(c.Crm) ? "crm" : "accountId", "customer.field-required", "crm and accountId are required.");
                if (state.Accounts.Contains(new CrmAccount(c.Crm, c.AccountId))) return Decision<CustomerEvent>.Nothing;
                return Decision<CustomerEvent>.Of(new CrmAccountLinked(c.CustomerId, c.Crm, c.AccountId, c.LinkedBy, now));

            case MergeCustomer c:
                if (c.IntoCustomerId == c.CustomerId)
                    return Decision<CustomerEvent>.Refuse(RefusalKind.RuleViolation, "customer.merge-into-self", "A customer cannot be merged into itself.", "intoCustomerId");
                if (c.Target is null || c.Target.Status == CustomerStatus.None)
                    return Decision<CustomerEvent>.Refuse(RefusalKind.NotFound, "customer.not-found", $"Customer {c.IntoCustomerId} is not registered.", "intoCustomerId");
                if (c.Target.Status == CustomerStatus.Merged)
                    return Decision<CustomerEvent>.Refuse(RefusalKind.Conflict, "customer.merge-target-merged",
                        $"Customer {c.IntoCustomerId} was itself merged into {c.Target.MergedInto}; merge into that one.", "intoCustomerId");
                return Decision<CustomerEvent>.Of(new CustomerMerged(c.CustomerId, c.IntoCustomerId, state.Accounts, c.MergedBy, now));

            default:
                throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown customer command.");
        }
    }
}

public abstract record CrmAccountEvent(string Crm, string AccountId);

/// <summary>A CRM account now belongs to a canonical customer; the stream per account makes the mapping unique.</summary>
public sealed record CrmAccountClaimed(string Crm, string AccountId, string CustomerId, Instant ClaimedAt) : CrmAccountEvent(Crm, AccountId);

public sealed record CrmAccountReassigned(string Crm, string AccountId, string FromCustomerId, string ToCustomerId, Instant ReassignedAt)
    : CrmAccountEvent(Crm, AccountId);

public abstract record CrmAccountCommand(string Crm, string AccountId);

public sealed record ClaimCrmAccount(string Crm, string AccountId, string CustomerId) : CrmAccountCommand(Crm, AccountId);

/// <summary>Moves the account when its customer is merged into another.</summary>
public sealed record ReassignCrmAccount(string Crm, string AccountId, string FromCustomerId, string ToCustomerId) : CrmAccountCommand(Crm, AccountId);

public sealed record CrmAccountState(string? CustomerId)
{
    public static readonly CrmAccountState Initial = new((string?)null);
}

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
