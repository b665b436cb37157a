using Ledger.Domain.Common;
namespace Ledger.Domain.Customers;

[Closed]
public abstract record CrmAccountCommand(string Crm, string AccountId);

public sealed record ClaimCrmAccount(string Crm, string AccountId, CustomerId CustomerId) : CrmAccountCommand(Crm, AccountId);

/// <summary>Moves the account when its customer is merged into another.</summary>
public sealed record ReassignCrmAccount(string Crm, string AccountId, CustomerId FromCustomerId, CustomerId ToCustomerId) : CrmAccountCommand(Crm, AccountId);
