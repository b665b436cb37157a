using Ledger.Application.Commands;
using Ledger.Application.Reactions;
using Ledger.Application.Reference;
using Ledger.Domain.Contracts;
using Ledger.Domain.Orders;
using Ledger.EventStore.Writing;
using NodaTime;
using Wolverine;
using Ledger.Domain.Common;

namespace Ledger.Application.Contracts;

/// <param name="RenewalNoticeDays">How many days before a term ends its renewal falls due (<c>Contracts:RenewalNoticeDays</c>, default 30).</param>
public sealed record ContractSettings(int RenewalNoticeDays)
{
    public static readonly ContractSettings Default = new(30);
}

/// <summary>Durable message: billing acknowledged the order; start its contract if its quote sold subscriptions, or renew the contract whose renewal quote it was.</summary>
public sealed record StartContractForBilledOrder(OrderId OrderId, string BillingReference, Instant BilledAt);

/// <summary>Durable, due when a term's renewal falls due.</summary>
public sealed record CheckContractRenewalWhenDue(ContractId ContractId, LocalDate EndDate, int NoticeDays, Instant DueAt) : IDueMessage;

/// <summary>Durable, due at the end of a term: expire the contract, or renew it when evergreen.</summary>
public sealed record EndContractTermWhenDue(ContractId ContractId, LocalDate EndDate, Instant DueAt) : IDueMessage;

/// <summary>The contract's start and its scheduled work (Wolverine finds handlers by the "Handler" suffix); each command's key is derived from what it is about, so a repeat appends nothing twice.</summary>
public static class ContractLifecycleHandler
{
    /// <remarks>The start is the handler's last step: its unit carries Wolverine's "handled" mark (one commit for both).</remarks>
    public static Task Handle(StartContractForBilledOrder message, CommandRunner commands, ReferenceData reference, Envelope envelope, WolverineInbox inbox,
        CancellationToken ct) =>
        commands.RunAsync(CommandMetadata.ByLedger($"start-contract-{message.OrderId}"), async unit =>
        {
            var order = await unit.Consult(Streams.Order(message.OrderId), ct);
            if (order.Placed is not { } placed) return new CommandResult.Unchanged(OrderDecider.StreamId(message.OrderId), -1);
            // An amendment quote's order amended its contract when it was placed; closing it starts nothing (ADR/0021).
            if (order.AmendsContract is not null) return new CommandResult.Unchanged(OrderDecider.StreamId(message.OrderId), -1);
            var quote = await unit.Consult(Streams.Quote(placed.Quote.QuoteId), ct);
            var catalog = await reference.Catalog(unit, ct);
            var subscriptions = placed.Quote.Lines
                .Select(l => catalog.Find(l.CatalogVersion, l.ProductOfferingId) is { Subscription: { } terms }
                    ? new OfferingSubscription(l.ProductOfferingId, l.CatalogVersion, terms) : null)
                .OfType<OfferingSubscription>().Distinct().ToList();
            // A one-off sale has no contract: nothing to start, and nothing to refuse.
            if (subscriptions.Count == 0 || quote.Draft is not { } draft) return new CommandResult.Unchanged(OrderDecider.StreamId(message.OrderId), -1);
            // A renewal quote's order renews the contract that drafted it, while that contract is active (ADR/0021); a
            // renewal ordered after its contract ended starts a contract of its own, as any subscription order does.
            if (ContractState.RenewedContractIdOf(placed.Quote.QuoteId) is { } renewedId
                && await unit.Consult(Streams.Contract(renewedId), ct) is { Status: ContractStatus.Active, RenewalQuote: { } quoted }
                && quoted.RenewalQuoteId == placed.Quote.QuoteId)
                return await unit.Decide(Streams.Contract(renewedId), _ => new RenewContractFromQuote(renewedId, message.OrderId, placed.Quote,
                    message.BillingReference, subscriptions), ct);
            var contractId = ContractDecider.ContractIdFor(placed.Quote.QuoteId);
            return await unit.Decide(Streams.Contract(contractId), _ => new StartContract(contractId, message.OrderId, placed.Quote, message.BillingReference,
                ContractState.Today(message.BilledAt, draft.TimeZone), draft.TimeZone, subscriptions), ct);
        }, Durability.Derived, ct, inbox.MarkFor(envelope));

    public static Task Handle(CheckContractRenewalWhenDue message, CommandRunner commands, IMessageBus bus, IClock clock, CancellationToken ct) =>
        RunScheduled(commands, bus, clock, message, message.DueAt, $"renewal-due-{message.ContractId}-{message.EndDate:yyyy-MM-dd}", "contract.renewal-not-due",
            new RecordContractRenewalDue(message.ContractId, message.EndDate, message.NoticeDays), ct);

    public static Task Handle(EndContractTermWhenDue message, CommandRunner commands, IMessageBus bus, IClock clock, CancellationToken ct) =>
        RunScheduled(commands, bus, clock, message, message.DueAt, $"end-term-{message.ContractId}-{message.EndDate:yyyy-MM-dd}", "contract.term-not-over",
            new EndContractTerm(message.ContractId, message.EndDate), ct);

    /// <summary>
    /// Delivered before the contract's own clock says it is due (clocks apart by a little): look again once it is, but
    /// within 1 to 5 seconds, never at once. Rescheduling for an instant already past would run the message again
    /// straight away, a hot loop while the clocks disagree.
    /// </summary>
    private static async Task RunScheduled<TMessage>(CommandRunner commands, IMessageBus bus, IClock clock, TMessage message, Instant dueAt, string key,
        string notYet, ContractCommand command, CancellationToken ct)
    {
        var result = await commands.RunAsync(CommandMetadata.ByLedger(key), unit => unit.Decide(Streams.Contract(command.ContractId), _ => command, ct), Durability.Derived, ct);
        if (result is CommandResult.Refused { Refusal.Code: var code } && code == notYet)
        {
            var wait = (dueAt - clock.GetCurrentInstant()).ToTimeSpan();
            await bus.ScheduleAsync(message, TimeSpan.FromSeconds(Math.Clamp(wait.TotalSeconds, 1, 5)));
        }
    }
}
