using Ledger.Domain.Common;
namespace Ledger.Domain.Customers;

[Closed]
public abstract record CustomerCommand(CustomerId CustomerId);

public sealed record RegisterCustomer(CustomerId CustomerId, string Name, string? WebDomain, string RegisteredBy) : CustomerCommand(CustomerId), IStartsStream;

public sealed record LinkCrmAccount(CustomerId CustomerId, string Crm, string AccountId, string LinkedBy) : CustomerCommand(CustomerId);

/// <param name="Target">The customer merged into, as it is now; null when it does not exist.</param>
public sealed record MergeCustomer(CustomerId CustomerId, CustomerId IntoCustomerId, CustomerState? Target, string MergedBy) : CustomerCommand(CustomerId);
