using Ledger.Domain.Common;
using Ledger.Domain;
using NodaTime;

namespace Ledger.Domain.Customers;

public sealed record CrmAccount(string Crm, string AccountId);

[Closed]
public abstract record CustomerEvent(CustomerId CustomerId);

[EventName("customer-registered.v1")]
public sealed record CustomerRegistered(CustomerId CustomerId, string Name, string? WebDomain, string RegisteredBy, Instant RegisteredAt) : CustomerEvent(CustomerId);

[EventName("crm-account-linked.v1")]
public sealed record CrmAccountLinked(CustomerId CustomerId, string Crm, string AccountId, string LinkedBy, Instant LinkedAt) : CustomerEvent(CustomerId);

/// <summary>This canonical customer was found to be the same as another and now lives on as that one.</summary>
[EventName("customer-merged.v1")]
public sealed record CustomerMerged(CustomerId CustomerId, CustomerId IntoCustomerId, IReadOnlyList<CrmAccount> MovedAccounts, string MergedBy, Instant MergedAt)
    : CustomerEvent(CustomerId);
