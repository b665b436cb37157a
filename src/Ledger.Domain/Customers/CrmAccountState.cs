using Ledger.Domain.Common;
namespace Ledger.Domain.Customers;

public sealed record CrmAccountState(CustomerId? CustomerId)
{
    public static readonly CrmAccountState Initial = new((CustomerId?)null);
}
