using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ledger.Application.Billing;
using Ledger.Application.Commands;
using Ledger.Domain.Billing;
using Ledger.Domain.Contracts;
using Ledger.EventStore;
using Ledger.EventStore.Writing;
using Ledger.Domain.Common;

namespace Ledger.Application.Contracts;

/// <summary>Durable message: hand the change that made <paramref name="ContractVersion"/> to billing (its amount as the change recorded it).</summary>
/// <param name="Amount">Positive: a charge; negative: a credit owed to the customer.</param>
/// <param name="OrderId">The order the contract started from, whose billing account is billed.</param>
public sealed record HandContractChangeToBilling(
    ContractId ContractId, int ContractVersion, ContractChangeKind Kind, decimal Amount, string Currency, OrderId OrderId);

/// <summary>
/// Requests the billing handoff of a contract change on the billing stream derived from it
/// (<see cref="ContractDecider.BillingHandoffIdFor"/>): the same stream kind, decider, sender, retries and deadline as an
/// order's handoff. The request carries the change's correlation and is caused by it, read off the contract's own event.
/// </summary>
public static class ContractBillingHandler
{
    /// <remarks>The request is the handler's last step: its unit carries Wolverine's "handled" mark (one commit for both).</remarks>
    public static async Task Handle(HandContractChangeToBilling message, CommandRunner commands, IEventStore store, EventSerializer serializer,
        BillingSettings billing, Wolverine.Envelope envelope, WolverineInbox inbox, CancellationToken ct)
    {
        var handoffId = ContractDecider.BillingHandoffIdFor(message.ContractId, message.ContractVersion);
        var key = $"contract-billing-{handoffId}";
        var (_, events) = await store.LoadAsync(serializer, Streams.Contract(message.ContractId), ct);
        var cause = events.FirstOrDefault(e => serializer.TryRead(e, out var read, out _) && VersionOf(read) == message.ContractVersion);
        var metadata = cause is null
            ? CommandMetadata.ByLedger(key)
            : CommandMetadata.ByLedger(key) with { CorrelationId = cause.Metadata.CorrelationId, CausationId = cause.EventId.ToString() };
        await commands.RunAsync(metadata, async unit =>
        {
            var order = await unit.Consult(Streams.Order(message.OrderId), ct);
            // A contract starts only from a billed order, which had a billing account; without one there is nowhere to bill.
            if (order.Placed?.BillingAccount is not { } account) return new CommandResult.Unchanged(Streams.Order(message.OrderId).Id, -1);
            var change = new ContractChange(message.ContractId, message.ContractVersion, message.Kind);
            return await unit.Decide(Streams.Billing(handoffId), _ => new RequestBillingHandoff(handoffId, message.Amount, message.Currency, account,
                IdempotencyKey: $"billing-{handoffId}", PayloadHash(handoffId, change, message.Amount, message.Currency, account), billing.Timeout, change), ct);
        }, Durability.Derived, ct, inbox.MarkFor(envelope));
    }

    private static int? VersionOf(object? @event) => @event switch
    {
        ContractAmended e => e.Version,
        ContractAmendedByQuote e => e.Version,
        ContractRenewed e => e.Version,
        ContractCancelled e => e.Version,
        _ => null,
    };

    /// <summary>What billing is asked to bill, hashed as an order's handoff is (invariant and scale-free).</summary>
    public static string PayloadHash(string handoffId, ContractChange change, decimal amount, string currency, string billingAccount) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{handoffId}|{change.ContractId}|v{change.ContractVersion}|{change.Kind}|{amount:0.############################}|{currency}|{billingAccount}"))));
}
