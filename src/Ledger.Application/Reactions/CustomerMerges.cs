using Ledger.Application.Commands;
using Ledger.Domain.Customers;
using Ledger.Domain.Common;

namespace Ledger.Application.Reactions;

/// <summary>A merged customer's CRM accounts move to the customer it was merged into: each account is reassigned and linked there.</summary>
public static class CustomerMerges
{
    public static readonly IReactor Reactor = new Reactor<CustomerCommand, CustomerEvent, CustomerState>(
        "customer-merges", e => Streams.Customer(e.CustomerId), React, typeof(CustomerMerged));

    public static IEnumerable<Reaction> React(CustomerEvent @event, CustomerState before)
    {
        if (@event is not CustomerMerged e) yield break;
        foreach (var account in e.MovedAccounts)
        {
            yield return Reaction.Decide.On(new ReassignCrmAccount(account.Crm, account.AccountId, e.CustomerId, e.IntoCustomerId));
            yield return Reaction.Decide.On(new LinkCrmAccount(e.IntoCustomerId, account.Crm, account.AccountId, e.MergedBy));
        }
    }
}
