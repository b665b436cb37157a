using System.Collections.Immutable;
using Ledger.Domain.Common;

namespace Ledger.Domain.Customers;

public enum CustomerStatus { None, Active, Merged }

/// <param name="MovedAccounts">After a merge: the accounts that moved to <paramref name="MergedInto"/>.</param>
public sealed record CustomerState(CustomerStatus Status, string? Name, ImmutableList<CrmAccount> Accounts, CustomerId? MergedInto, IReadOnlyList<CrmAccount> MovedAccounts)
{
    public static readonly CustomerState Initial = new(CustomerStatus.None, null, [], null, []);
}

/// <summary>What a CRM account's canonical customer is at the moment a quote is drafted for it (the draft's identity fact).</summary>
public sealed record LinkedCustomer(CustomerId CustomerId, CustomerStatus Status, CustomerId? MergedInto);
