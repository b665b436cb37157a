using Ledger.Domain.Common;
using Ledger.Domain.Approvals;
using Ledger.Domain.Billing;
using Ledger.Domain.Contracts;
using Ledger.Domain.Customers;
using Ledger.Domain.Orders;
using Ledger.Domain.Quotes;
using NodaTime;

namespace Ledger.Application.Reactions;

/// <summary>
/// What must follow an event (ADR/0017): a command on another stream, or a durable message for work outside the
/// store (a call to billing, a timeout). Reactors answer these; the reaction processor carries them out.
/// </summary>
[Closed]
public abstract record Reaction
{
    private Reaction() { }

    /// <summary>A command for the stream its ids name: decided by that stream's decider like any other command.</summary>
    public sealed record Decide : Reaction
    {
        private Decide(object command) => Command = command;

        public object Command { get; }

        // One factory per stream kind: a reactor cannot ask for a command no stream decides.
        public static Decide On(QuoteCommand command) => new(command);
        public static Decide On(ApprovalCommand command) => new(command);
        public static Decide On(OrderCommand command) => new(command);
        public static Decide On(BillingCommand command) => new(command);
        public static Decide On(CustomerCommand command) => new(command);
        public static Decide On(CrmAccountCommand command) => new(command);
        public static Decide On(ContractCommand command) => new(command);
    }

    /// <summary>A durable message handed to Wolverine, due now or at <see cref="IDueMessage.DueAt"/>.</summary>
    public sealed record Deliver(object Message) : Reaction;
}

/// <summary>A message that is due at an instant (a timeout), not at once.</summary>
public interface IDueMessage
{
    Instant DueAt { get; }
}
