using Ledger.Api.Problems;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Customers;
using Ledger.EventStore;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using Ledger.Domain.Common;

namespace Ledger.Api.Customers;

/// <summary>A canonical customer as the event store has it now. A CRM client sees only its own CRM's accounts of it.</summary>
public static class CustomerEndpoint
{
    [WolverineGet("/customers/{customerId}"), Authorize(Roles = $"{LedgerRoles.Crm},{LedgerRoles.Finance},{LedgerRoles.Admin}")]
    public static async Task<IResult> Get(string customerId, IEventStore store, EventSerializer serializer, HttpContext context, CancellationToken ct)
    {
        var customer = await store.FoldAsync(serializer, Streams.Customer(new CustomerId(customerId)), ct);
        if (customer.Status == CustomerStatus.None)
            return Results.Problem(LedgerProblems.Create(StatusCodes.Status404NotFound, "customer.not-found", $"No customer {customerId} is registered.", "customerId"));
        var crm = context.User.Crm();
        return Results.Ok(new
        {
            customerId, Status = customer.Status.ToString(), customer.Name, customer.MergedInto,
            Accounts = customer.Accounts.Where(a => crm is null || a.Crm == crm).ToList(),
        });
    }
}
