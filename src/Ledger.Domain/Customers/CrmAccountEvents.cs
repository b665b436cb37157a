using Ledger.Domain.Common;
using Ledger.Domain;
using NodaTime;

namespace Ledger.Domain.Customers;

[Closed]
public abstract record CrmAccountEvent(string Crm, string AccountId);

/// <summary>A CRM account now belongs to a canonical customer; the stream per account makes the mapping unique.</summary>
[EventName("crm-account-claimed.v1")]
public sealed record CrmAccountClaimed(string Crm, string AccountId, CustomerId CustomerId, Instant ClaimedAt) : CrmAccountEvent(Crm, AccountId);

[EventName("crm-account-reassigned.v1")]
public sealed record CrmAccountReassigned(string Crm, string AccountId, CustomerId FromCustomerId, CustomerId ToCustomerId, Instant ReassignedAt)
    : CrmAccountEvent(Crm, AccountId);
