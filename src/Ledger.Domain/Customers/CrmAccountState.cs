namespace Ledger.Domain.Customers;

public sealed record CrmAccountState(string? CustomerId)
{
    public static readonly CrmAccountState Initial = new((string?)null);
}
