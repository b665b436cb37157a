using Ledger.Domain.Common;
namespace Ledger.Domain.Customers;

[Closed]
public abstract record CustomerCommand(string CustomerId);

public sealed record RegisterCustomer(string CustomerId, string Name, string? WebDomain, string RegisteredBy) : CustomerCommand(CustomerId), IStartsStream;

public sealed record LinkCrmAccount(string CustomerId, string Crm, string AccountId, string LinkedBy) : CustomerCommand(CustomerId);

/// <param name="Target">The customer merged into, as it is now; null when it does not exist.</param>
public sealed record MergeCustomer(string CustomerId, string IntoCustomerId, CustomerState? Target, string MergedBy) : CustomerCommand(CustomerId);
