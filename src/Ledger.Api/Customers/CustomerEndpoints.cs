using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Customers;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Ledger.Api.Customers;

public sealed record RegisterCustomerRequest(string CustomerId, string Name, string? WebDomain);

public sealed record LinkAccountRequest(string Crm, string AccountId);

public sealed record MergeCustomerRequest(string IntoCustomerId);

/// <summary>Canonical customers, kept by the data stewards (admin role).</summary>
public static class CustomerEndpoints
{
    [WolverinePost("/customers"), Authorize(Roles = LedgerRoles.Admin)]
    public static async Task<IResult> Register(RegisterCustomerRequest request, StreamCommands streams, HttpContext context, CancellationToken ct) =>
        (await streams.Send(new RegisterCustomer(request.CustomerId, request.Name, request.WebDomain, context.User.ClientName()), context.CommandMetadata(), ct))
            .ToHttp(context, createdLocation: $"/customers/{request.CustomerId}");

    /// <summary>Claims the CRM account for this customer first (one account, one customer), then records the link.</summary>
    [WolverinePost("/customers/{customerId}/accounts"), Authorize(Roles = LedgerRoles.Admin)]
    public static async Task<IResult> Link(string customerId, LinkAccountRequest request, StreamCommands streams, HttpContext context, CancellationToken ct)
    {
        var customer = await streams.LoadCustomer(customerId, ct);
        var link = new LinkCrmAccount(customerId, request.Crm, request.AccountId, context.User.ClientName());
        if (customer.Status != CustomerStatus.Active || string.IsNullOrWhiteSpace(request.Crm) || string.IsNullOrWhiteSpace(request.AccountId))
            return (await streams.Send(link, context.CommandMetadata(), ct)).ToHttp(context); // the decider names what is wrong
        var claim = await streams.Send(new ClaimCrmAccount(request.Crm, request.AccountId, customerId), context.CommandMetadata(), ct);
        if (claim is not (CommandResult.Appended or CommandResult.Unchanged)) return claim.ToHttp(context);
        return (await streams.Send(link, context.CommandMetadata(), ct)).ToHttp(context);
    }

    /// <summary>Merges one customer into another and moves its CRM accounts with it.</summary>
    [WolverinePost("/customers/{customerId}/merge"), Authorize(Roles = LedgerRoles.Admin)]
    public static async Task<IResult> Merge(string customerId, MergeCustomerRequest request, StreamCommands streams, HttpContext context, CancellationToken ct)
    {
        var target = await streams.LoadCustomer(request.IntoCustomerId ?? "", ct);
        var result = await streams.Send(new MergeCustomer(customerId, request.IntoCustomerId!, target, context.User.ClientName()), context.CommandMetadata(), ct);
        // On a retry too: moving accounts is idempotent, and finishes what an interrupted attempt began.
        if (result is CommandResult.Appended && await streams.LoadCustomer(customerId, ct) is { Status: CustomerStatus.Merged } merged)
        {
            foreach (var account in merged.MovedAccounts)
            {
                await streams.Send(new ReassignCrmAccount(account.Crm, account.AccountId, customerId, request.IntoCustomerId!), context.CommandMetadata(), ct);
                await streams.Send(new LinkCrmAccount(request.IntoCustomerId!, account.Crm, account.AccountId, context.User.ClientName()), context.CommandMetadata(), ct);
            }
        }
        return result.ToHttp(context);
    }
}
