using Ledger.Application.Commands;
using Ledger.Domain.Approvals;
using Ledger.Domain.Billing;
using Ledger.Domain.Contracts;
using Ledger.Domain.Customers;
using Ledger.Domain.Orders;
using Ledger.Domain.Quotes;
using Ledger.Domain.Common;

namespace Ledger.Application.Reactions;

public static class ReactionCommands
{
    /// <summary>Decides a reaction's command on the stream its ids name (<see cref="Streams"/>, the one id-to-stream mapping).</summary>
    public static Task<CommandResult> Decide(this CommandUnit unit, Reaction.Decide reaction, CancellationToken ct) => reaction.Command switch
    {
        QuoteCommand c => unit.Decide(Streams.Quote(c.QuoteId), _ => c, ct),
        ApprovalCommand c => unit.Decide(Streams.Approval(c.QuoteId, c.Revision), _ => c, ct),
        OrderCommand c => unit.Decide(Streams.Order(c.OrderId), _ => c, ct),
        BillingCommand c => unit.Decide(Streams.Billing(c.OrderId), _ => c, ct),
        CustomerCommand c => unit.Decide(Streams.Customer(c.CustomerId), _ => c, ct),
        CrmAccountCommand c => unit.Decide(Streams.CrmAccount(c.Crm, c.AccountId), _ => c, ct),
        ContractCommand c => unit.Decide(Streams.Contract(c.ContractId), _ => c, ct),
        // Reaction.Decide is only made from the seven kinds above (its factories).
        var other => throw new InvalidOperationException($"No stream decides {other.GetType().Name}."),
    };
}
