using Ledger.Domain.Common;
using NodaTime;

namespace Ledger.Domain.Customers;

/// <summary>A canonical customer (<c>customer-{id}</c>): registered, linked to CRM accounts, merged into another.</summary>
public static class CustomerDecider
{
    public static string StreamId(CustomerId customerId) => $"customer-{customerId}";

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
                if (Ids.Check(("customerId", c.CustomerId)) is { } badId)
                    return Decision<CustomerEvent>.Invalid(badId.Field!, "customer." + badId.Code, badId.Message);
                if (Ids.CheckLength(("name", c.Name), ("webDomain", c.WebDomain)) is { } tooLong)
                    return Decision<CustomerEvent>.Invalid(tooLong.Field!, "customer." + tooLong.Code, tooLong.Message);
                return Decision<CustomerEvent>.Of(new CustomerRegistered(c.CustomerId, c.Name, c.WebDomain, c.RegisteredBy, now));

            case LinkCrmAccount c:
                if (string.IsNullOrWhiteSpace(c.Crm) || string.IsNullOrWhiteSpace(c.AccountId))
                    return Decision<CustomerEvent>.Invalid(string.IsNullOrWhiteSpace(c.Crm) ? "crm" : "accountId", "customer.field-required", "crm and accountId are required.");
                // They name the account's stream (crm-account-{crm}-{accountId}): plain ids, or the append fails (issue 18).
                if (Ids.Check(("crm", c.Crm), ("accountId", c.AccountId)) is { } badAccount)
                    return Decision<CustomerEvent>.Invalid(badAccount.Field!, "customer." + badAccount.Code, badAccount.Message);
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
